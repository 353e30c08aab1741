"""CookieSessions signs and reads cookies as Flask's own interface does, keys rotated included."""

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from slotbooking.security.cookie_sessions import CookieSessions


def _app(interface, key="first-key", fallbacks=()):
    app = Flask(__name__)
    app.secret_key = key
    app.config["SECRET_KEY_FALLBACKS"] = list(fallbacks)
    app.session_interface = interface

    @app.get("/set")
    def set_value():
        session["who"] = "shopper"
        return "ok"

    @app.get("/get")
    def get_value():
        return session.get("who", "nobody")

    @app.get("/clear")
    def clear():
        session.clear()
        return "ok"

    @app.get("/none")
    def untouched():
        return "ok"

    return app


def _cookie(response) -> str | None:
    header = response.headers.get("Set-Cookie")
    return header.split(";")[0].split("=", 1)[1] if header else None


def test_cookies_are_flasks_own_both_ways():
    ours, flasks = _app(CookieSessions()), _app(SecureCookieSessionInterface())
    for writer, reader in ((ours, flasks), (flasks, ours)):
        cookie = _cookie(writer.test_client().get("/set"))
        client = reader.test_client()
        client.set_cookie("session", cookie)
        assert client.get("/get").text == "shopper"


def test_no_cookie_an_empty_session_and_the_same_headers():
    for interface in (CookieSessions(), SecureCookieSessionInterface()):
        client = _app(interface).test_client()
        assert client.get("/get").text == "nobody"
        read = client.get("/get")
        assert read.headers.get("Vary") == "Cookie" and "Set-Cookie" not in read.headers
        untouched = client.get("/none")
        assert "Vary" not in untouched.headers and "Set-Cookie" not in untouched.headers


def test_clearing_a_session_deletes_its_cookie():
    client = _app(CookieSessions()).test_client()
    client.get("/set")
    cleared = client.get("/clear")
    assert "session=;" in cleared.headers["Set-Cookie"] and cleared.headers["Vary"] == "Cookie"
    assert client.get("/get").text == "nobody"


def test_a_rotated_key_signs_anew_and_the_old_one_still_reads():
    interface = CookieSessions()
    old = _app(interface, key="first-key")
    cookie = _cookie(old.test_client().get("/set"))
    rotated = _app(interface, key="second-key", fallbacks=["first-key"])
    client = rotated.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/get").text == "shopper"
    unknown = _app(interface, key="third-key")
    client = unknown.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/get").text == "nobody"  # a bad signature reads as an empty session
