"""The capacity module's Core statements say what the ORM's expressions say."""

from datetime import UTC, datetime

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql

from slotbooking.bookings import capacity
from slotbooking.bookings.models import Hold


def sql(clause) -> str:
    return str(clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def test_a_live_hold_is_the_same_test_in_the_core_statements_as_on_the_model():
    now = bindparam("now", datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    assert sql(capacity._live_hold(now)) == sql(Hold.is_live(now))


def test_the_slot_and_its_depot_day_are_locked_slot_first_in_one_statement():
    text = " ".join(str(capacity._LOCK_SLOT_AND_ITS_DEPOT_DAY.compile(dialect=postgresql.dialect())).split())
    assert text.startswith(
        "WITH locked_slot AS (UPDATE slots SET lock_seq=(slots.lock_seq + %(lock_seq_2)s::INTEGER)"
    )
    assert "RETURNING slots.depot_id, slots.service_date) UPDATE depot_days" in text
    assert (
        "depot_days.depot_id = locked_slot.depot_id AND depot_days.service_date = locked_slot.service_date"
        in text
    )
