"""``Hold.is_live``: one meaning of "this hold still counts", the same in Python and in SQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from slotbooking.bookings.models import Hold
from slotbooking.extensions import db


def _holds(app, shop, count: int) -> list[str]:
    _, slot = shop.first_available()
    return [shop.hold(slot["id"]).get_json()["id"] for _ in range(count)]


def _live_both_ways(app, hold_ids, at) -> tuple[set, set]:
    with app.app_context():
        in_sql = set(db.session.scalars(select(Hold.id).where(Hold.id.in_(hold_ids), Hold.is_live(at))))
        holds = db.session.scalars(select(Hold).where(Hold.id.in_(hold_ids)))
        in_python = {hold.id for hold in holds if hold.is_live(at)}
        return in_sql, in_python


def test_an_active_hold_is_live_until_the_instant_it_expires(app, shop, clock):
    [hold_id] = _holds(app, shop, 1)
    with app.app_context():
        expires_at = db.session.get(Hold, hold_id).expires_at
    for at, live in [
        (clock(), {hold_id}),
        (expires_at - timedelta(seconds=1), {hold_id}),
        (expires_at, set()),
        (expires_at + timedelta(minutes=1), set()),
    ]:
        assert _live_both_ways(app, [hold_id], at) == (live, live), at


@pytest.mark.parametrize("status", ["released", "booked", "expired"])
def test_a_hold_that_ended_is_not_live_however_much_time_it_had_left(app, shop, clock, status):
    kept, ended = _holds(app, shop, 2)
    with app.app_context():
        db.session.get(Hold, ended).status = status
        db.session.commit()
    assert _live_both_ways(app, [kept, ended], clock()) == ({kept}, {kept})
