"""Refuse a draft whose slot templates would hold fewer places than are already booked.

Publishing already refuses it (the slot generation counts bookings per slot); this says it when
the draft is saved from the console's form, beside the template's capacity. A template is matched
to the live one with the same zones, days and times, as the setup import matches them.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking
from slotbooking.retailers.models import Retailer, SlotTemplate
from slotbooking.slots.clock import local_today
from slotbooking.slots.models import Slot


def _natural_key(zones, weekdays, start, end) -> tuple:
    return (tuple(["*"] if zones in ("*", ["*"]) else zones), tuple(weekdays), start, end)


def most_booked_per_template(session, retailer: Retailer, now: datetime) -> dict[tuple, int]:
    """Return {template's natural key: the most bookings any of its coming windows holds}."""
    first = local_today(ZoneInfo(retailer.timezone), now)
    per_slot = (
        select(Slot.template_id, func.count(Booking.id).label("taken"))
        .join(Booking, Booking.slot_id == Slot.id)
        .where(
            Slot.retailer_id == retailer.id,
            Slot.service_date >= first,
            Booking.status.in_(OCCUPYING_STATUSES),
        )
        .group_by(Slot.id, Slot.template_id)
        .subquery()
    )
    rows = session.execute(
        select(SlotTemplate, func.max(per_slot.c.taken))
        .join(per_slot, per_slot.c.template_id == SlotTemplate.id)
        .where(SlotTemplate.retailer_id == retailer.id, SlotTemplate.active.is_(True))
        .group_by(SlotTemplate.id)
    ).all()
    return {_natural_key(t.zones, t.weekdays, t.start, t.end): taken for t, taken in rows}


def capacity_problems(session, retailer: Retailer, document: dict, now: datetime) -> dict[str, list[str]]:
    """Return {"slot_templates[i].capacity": [why]} for each template set below its bookings."""
    booked = most_booked_per_template(session, retailer, now)
    problems = {}
    for i, template in enumerate(document.get("slot_templates") or []):
        try:
            key = _natural_key(template["zones"], template["weekdays"], template["start"], template["end"])
            taken = booked.get(key, 0)
            below = isinstance(template["capacity"], int) and template["capacity"] < taken
        except (KeyError, TypeError):
            continue  # the document's own validation says what is wrong
        if below:
            problems[f"slot_templates[{i}].capacity"] = [
                f"{template['capacity']} is below the {taken} already booked in one of its coming windows"
            ]
    return problems
