"""Passwords hashed with Argon2id (memory-hard), through argon2-cffi's defaults.

Tests may set PASSWORD_HASH_COST = "cheapest" (argon2-cffi's cheapest Argon2id parameters):
a full-cost hash takes a quarter of a second, and the suite logs staff in hundreds of times.
The app refuses that setting outside testing (slotbooking/security/startup.py).
"""

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

_HASHERS = {"default": PasswordHasher(), "cheapest": PasswordHasher.from_parameters(profiles.CHEAPEST)}
MIN_LENGTH = 10

# Verified against when the e-mail is unknown, so that a login takes as long either way.
_DUMMY_HASHES = {cost: hasher.hash("not-a-real-password") for cost, hasher in _HASHERS.items()}


def _cost() -> str:
    return current_app.config.get("PASSWORD_HASH_COST", "default") if has_app_context() else "default"


def hash_password(password: str) -> str:
    return _HASHERS[_cost()].hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Return whether the password matches; with no stored hash, spend the same time and say no."""
    cost = _cost()
    try:
        return _HASHERS[cost].verify(stored or _DUMMY_HASHES[cost], password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHERS[_cost()].check_needs_rehash(stored)


def password_problem(password: str) -> str | None:
    """Return why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > 1024:
        return "must be at most 1024 characters"
    return None
