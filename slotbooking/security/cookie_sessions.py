"""Flask's signed cookie sessions, minus the work a request without a session cookie never needed.

Why: the API and the widget carry no session cookie, yet Flask's interface built a new signing
serializer (key list, signer settings) on every request before looking for the cookie, and
worked out seven cookie attributes before finding the session empty on the way out: about 3%
of a warm GET /slots (bench/README.md). Here the serializer is made once per set of keys (a
rotated SECRET_KEY or SECRET_KEY_FALLBACKS makes a new one), a request without the cookie gets an
empty session without it, and an untouched empty session returns at once. Cookies, signatures,
``Vary: Cookie`` and every answer are the same as Flask's own.
"""

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            if len(self._serializers) > 8:  # keys rotated many times over: start afresh
                self._serializers.clear()
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app, request):
        if not app.secret_key:
            return None  # Flask's null session, as without this class
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:  # nothing to set or to delete
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
