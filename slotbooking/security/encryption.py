"""Secrets at rest (webhook signing secrets): Fernet under ENCRYPTION_KEYS, the first encrypting.

MultiFernet decrypts with any listed key, so a new key goes first, ``flask secrets reencrypt``
rewrites every stored secret under it, and the old key can then be dropped (docs/security.md).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator


class UndecryptableSecret(RuntimeError):
    """A stored secret was encrypted under a key that ENCRYPTION_KEYS no longer lists."""


class SecretBox:
    """Encrypt and decrypt short secrets with the configured keys."""

    def __init__(self, keys: list[bytes]):
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_settings(cls, encryption_keys: str, secret_key: str) -> "SecretBox":
        """Build from ENCRYPTION_KEYS; without any (debug and testing only), a key derived from SECRET_KEY.

        :raises ValueError: a listed key is not a Fernet key.
        """
        listed = [key.strip().encode() for key in encryption_keys.split(",") if key.strip()]
        if not listed:
            digest = hashlib.sha256(b"slotbooking encryption\0" + secret_key.encode()).digest()
            listed = [base64.urlsafe_b64encode(digest)]
        try:
            return cls(listed)
        except ValueError as error:
            raise ValueError(
                "SLOTBOOKING_ENCRYPTION_KEYS must list Fernet keys (32 url-safe base64 bytes each)"
            ) from error

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        """:raises UndecryptableSecret: no configured key opens it."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise UndecryptableSecret(
                "a stored secret cannot be decrypted with SLOTBOOKING_ENCRYPTION_KEYS: "
                "keep the key it was encrypted with in the list (docs/security.md)"
            ) from error


class EncryptedString(TypeDecorator):
    """A string column stored encrypted; the app in context holds the keys (app.extensions)."""

    impl = String(500)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else current_app.extensions["secret_box"].encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else current_app.extensions["secret_box"].decrypt(value)
