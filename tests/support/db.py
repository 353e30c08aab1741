"""Look straight into the database from tests."""

from sqlalchemy import func, select

from slotbooking.bookings.models import Booking, Hold, IdempotencyRecord
from slotbooking.extensions import db
from slotbooking.slots.models import Slot


def row_counts(app) -> dict:
    """Count what a bad request must never change."""
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Booking, Hold, IdempotencyRecord, Slot)
        }


def set_slot_capacity(app, slot_id: str, capacity: int) -> None:
    with app.app_context():
        db.session.get(Slot, slot_id).capacity = capacity
        db.session.commit()


def occupied(app, slot_id: str, now) -> int:
    """Bookings plus live holds in a slot, as the database sees it (counted as the grid counts them)."""
    from slotbooking.bookings.capacity import usage_by_slot

    with app.app_context():
        return usage_by_slot(db.session, [slot_id], now)[slot_id]
