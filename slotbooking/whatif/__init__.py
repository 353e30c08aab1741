"""What-if runs: a draft's rules replayed over the retailer's recent offers, on the job queue.

``models`` keeps each run (its progress, result, and the version its draft became); ``inputs``
reads the offer log and both rule sets into the pure replay (``pricing.whatif``); ``service``
starts, runs, cancels and reads runs; ``publish`` attaches a draft's latest done run to the
version that publishing it makes. docs/whatif.md.
"""


def init_whatif(app) -> None:
    """Attach runs to the versions their drafts become (a listener on the drafts' publish signal)."""
    from slotbooking.whatif import models  # noqa: F401  (the table, for migrations and tests)
    from slotbooking.whatif.publish import listen

    listen()
