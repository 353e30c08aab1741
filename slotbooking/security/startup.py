"""Start-up checks: no public secret outside debug and testing, and only the proxies we trust."""

from werkzeug.middleware.proxy_fix import ProxyFix

from slotbooking.config import DEFAULT_SECRET_KEY

PROXY_HOPS = ("x_for", "x_proto", "x_host", "x_port", "x_prefix")


class UnsafeConfiguration(RuntimeError):
    """The app would run with a secret anyone can read; the message says which setting to set."""


def check_secrets(config, debug: bool, testing: bool) -> None:
    """Refuse to start with the default secret key or without encryption keys, unless debugging or testing.

    :raises UnsafeConfiguration: naming each setting that must be set.
    """
    if config["PASSWORD_HASH_COST"] != "default" and not testing:
        raise UnsafeConfiguration(
            'SLOTBOOKING_PASSWORD_HASH_COST must be "default" outside testing (docs/security.md)'
        )
    if debug or testing:
        return
    problems = []
    if config["SECRET_KEY"] in ("", DEFAULT_SECRET_KEY):
        problems.append(
            "SLOTBOOKING_SECRET_KEY is the public default: set it to a long random value "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if not config["ENCRYPTION_KEYS"].strip():
        problems.append(
            "SLOTBOOKING_ENCRYPTION_KEYS is not set: give one or more Fernet keys, comma separated "
            "(for example: python3 -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        )
    if problems:
        raise UnsafeConfiguration(
            "refusing to start outside debug and testing: " + "; ".join(problems) + " (docs/security.md)"
        )


def trust_proxies(wsgi_app, config):
    """Wrap the app in ProxyFix for the configured hops; with none, X-Forwarded-* is ignored."""
    hops = {name: int(config[f"PROXY_FIX_{name.upper()}"]) for name in PROXY_HOPS}
    if not any(hops.values()):
        return wsgi_app
    return ProxyFix(wsgi_app, **hops)
