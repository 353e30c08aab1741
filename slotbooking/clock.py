"""The app's one clock: every read of "now" in the app goes through this module.

A deployment reads the machine's time; tests hand the app a clock they can move
(``create_app({"CLOCK": ...})``). Model defaults, services, jobs and templates all ask
``now()``, so nothing disagrees with the clock the app was given. ``tests/unit/test_one_clock.py``
fails when a wall-clock call appears anywhere else.
"""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def system_now() -> datetime:
    """Return the machine's time, timezone aware, in UTC (the clock of a real deployment)."""
    return datetime.now(UTC)


def now() -> datetime:
    """Return the current UTC time from the app's clock.

    :raises RuntimeError: called outside an app context, where no clock is known.
    """
    if not has_app_context():
        raise RuntimeError("the app's clock is read inside an app context only")
    return current_app.extensions["clock"]()
