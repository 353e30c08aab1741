"""Who acted: the recorder a use case calls, inside its own unit of work, for each change it makes.

The console hands a use case a callable that writes the staff member's audit row (the staff part
owns that table); the use case calls it with what it did once the change has been made, in the
same transaction, so the change and its audit row commit, or vanish, together.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session

# on_behalf(session, action, target, diff): e.g. ("booking.rescheduled", "bkg_...", {"slot_id": [old, new]})
OnBehalf = Callable[[Session, str, str, dict | None], None]
