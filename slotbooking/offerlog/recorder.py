"""Record each grid shown without slowing the answer: listeners on the slots' signals.

A grid's bookable windows are stored once, when it is built (a cache miss, already a database
round trip or two). Each answer then adds one small item (quote digest, grid, time, coarse
cell) to a per-process batch; a full batch, or one older than ``OFFER_LOG_FLUSH_SECONDS`` by the
app's clock, goes to Redis in one round trip (a bounded list), and the ``offers.record`` job moves
it into PostgreSQL. Without Redis (or while it is down) a batch is written to the database
directly. Offers are statistics, not the truth: at worst some go unrecorded (a Redis flush, a
worker killed with a batch in hand), never does a request fail for them.
"""

import functools
import json
import logging
import threading
from collections import OrderedDict
from datetime import UTC, datetime

from flask import current_app, has_request_context, request
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from slotbooking.bookings.models import quote_digest
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.extensions import db
from slotbooking.offerlog.models import OfferGrid, OfferShown
from slotbooking.retailers.postcodes import normalise_postcode
from slotbooking.slots.offer_signals import grid_built, offer_shown

log = logging.getLogger(__name__)
QUEUE = "offerlog:shown"
QUEUE_KEEP = 5_000  # newest batches kept in Redis when nothing drains them
SEEN_GRIDS = 4096
# Grids shown to move a booking (the manage pages) are not a booking choice: not recorded.
NOT_A_BOOKING_CHOICE = frozenset({"manage", "move_payment"})


def coarse_cell(address) -> str:
    """Return where the shopper is, to about a kilometre: rounded coordinates, else the district."""
    if address.lat is not None and address.lon is not None:
        return f"{address.lat:.2f},{address.lon:.2f}"
    return _district(address.postcode)


@functools.lru_cache(maxsize=4096)
def _district(raw: str) -> str:
    postcode = normalise_postcode(raw)
    return postcode.split(" ")[0] if " " in postcode else postcode[:3]


def grid_windows(slots_json: str) -> list[list]:
    """Return the bookable windows of a grid as shown: [slot_id, date, start, end, price, green, wide]."""
    windows = []
    for slot in json.loads(slots_json):
        if not slot["available"]:
            continue
        start = datetime.fromisoformat(slot["start"])
        start_minute = start.hour * 60 + start.minute
        wide = any(i["kind"] == "wide" for i in slot["incentives"])
        windows.append(
            [
                slot["id"],
                slot["date"],
                start_minute,
                start_minute + slot["width_minutes"],
                slot["price"]["amount"],
                bool(slot["green"]),
                wide,
            ]
        )
    return windows


def _insert_ignoring_duplicates(session, model, rows: list[dict]) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(model).values(rows).on_conflict_do_nothing())


def save_grid(session, tenant, zone, grid_id: str, sheet_id: str, slots_json: str, now) -> None:
    """Store a grid's bookable windows once (a repeat of the same grid changes nothing)."""
    row = {
        "id": grid_id,
        "retailer_id": tenant.id,
        "zone_id": zone.id,
        "sheet_id": sheet_id,
        "mode": tenant.pricing.get("mode", "flat"),
        "base_fee": int(tenant.pricing.get("base_fee", 400)),
        "windows": grid_windows(slots_json),
        "created_at": now,
    }
    with unit_of_work(session):
        _insert_ignoring_duplicates(session, OfferGrid, [row])


def store_offers(session, items: list[dict]) -> int:
    """Write queued offers (a repeat of a quote is kept once); offers of an unknown grid are dropped."""
    if not items:
        return 0
    grids = set(session.scalars(select(OfferGrid.id).where(OfferGrid.id.in_({i["g"] for i in items}))))
    rows = [
        {
            "quote_digest": i["q"],
            "retailer_id": i["r"],
            "grid_id": i["g"],
            "shown_at": datetime.fromtimestamp(i["t"], UTC),
            "expires_at": datetime.fromtimestamp(i["e"], UTC),
            "cell": i["c"],
        }
        for i in items
        if i["g"] in grids
    ]
    with unit_of_work(session):
        for start in range(0, len(rows), 1000):
            _insert_ignoring_duplicates(session, OfferShown, rows[start : start + 1000])
    return len(rows)


class OfferLog:
    """One process's batch of offers shown, sent to Redis (or the database) a batch at a time."""

    def __init__(self, cache, batch: int, flush_seconds: float):
        self.cache, self.batch, self.flush_seconds = cache, max(1, batch), flush_seconds
        self._pending: list[dict] = []
        self._lock = threading.Lock()
        # Grids this process stored lately: a grid rebuilt unchanged is not written again.
        self._seen: OrderedDict[str, None] = OrderedDict()

    def first_sight(self, grid_id: str) -> bool:
        """Tell whether this process has not stored the grid lately (and remember it now)."""
        with self._lock:
            if grid_id in self._seen:
                self._seen.move_to_end(grid_id)
                return False
            self._seen[grid_id] = None
            if len(self._seen) > SEEN_GRIDS:
                self._seen.popitem(last=False)
            return True

    def forget_sight(self, grid_id: str) -> None:
        with self._lock:
            self._seen.pop(grid_id, None)

    def add(self, item: dict) -> None:
        with self._lock:
            self._pending.append(item)
            due = len(self._pending) >= self.batch or item["t"] - self._pending[0]["t"] >= self.flush_seconds
            taken, self._pending = (self._pending, []) if due else ([], self._pending)
        if taken:
            self._send(taken)

    def flush(self) -> int:
        """Send whatever is pending now (tests, shutdown); return how many were sent."""
        with self._lock:
            taken, self._pending = self._pending, []
        self._send(taken)
        return len(taken)

    def _send(self, items: list[dict]) -> None:
        if self.cache.append(QUEUE, [json.dumps(items, separators=(",", ":"))], QUEUE_KEEP):
            return  # one list element per batch: one encoding and one short command per batch
        try:  # no Redis, or it is down: straight to the database, in a session of its own
            with Session(db.engine) as own:
                store_offers(own, items)
        except SQLAlchemyError as error:
            log.warning("offers not recorded: %s", error)


def drain_queue(session, cache, limit: int = 50_000) -> int:
    """Move queued offers from Redis into the database (the offers.record job); return how many."""
    moved = 0
    while moved < limit:
        texts = cache.take(QUEUE, 20)
        if not texts:
            break
        items = [item for text in texts for item in json.loads(text)]
        try:
            moved += store_offers(session, items)
        except SQLAlchemyError:  # its unit of work rolled back
            cache.append(QUEUE, texts, QUEUE_KEEP)  # put back for the next run
            raise
    return moved


def _on_grid_built(tenant, session, zone, grid_id, sheet_id, slots_json, now, **_):
    offer_log = current_app.extensions.get("offer_log")
    if offer_log is None or not offer_log.first_sight(grid_id):
        return
    try:
        save_grid(session, tenant, zone, grid_id, sheet_id, slots_json, now)
    except SQLAlchemyError as error:  # its unit of work rolled back
        offer_log.forget_sight(grid_id)
        log.warning("grid not recorded: %s", error)


def _on_offer_shown(tenant, offer, quote_id, expires_at, address, now, **_):
    offer_log = current_app.extensions.get("offer_log")
    if offer_log is None or not offer.grid_id:
        return
    if has_request_context() and request.blueprint in NOT_A_BOOKING_CHOICE:
        return
    item = {
        "q": quote_digest(quote_id),
        "r": tenant.id,
        "g": offer.grid_id,
        "t": now.timestamp(),
        "e": expires_at.timestamp(),
        "c": coarse_cell(address),
    }
    offer_log.add(item)


def listen() -> None:
    """Connect the listeners (once per process; each app has its own OfferLog, or none)."""
    grid_built.connect(_on_grid_built, weak=False)
    offer_shown.connect(_on_offer_shown, weak=False)
