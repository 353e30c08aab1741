"""The in-process caches: resolved API keys, zones by prefix, depot fleets and allowed origins.

Each is a cachetools cache; these tests pin what each keeps, for how long, and what makes it
ask the database again, with fake sessions that count the questions.
"""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from slotbooking import auth
from slotbooking.api import cors
from slotbooking.common.errors import AddressNotServed
from slotbooking.offers.dynamic_pricing import EnginePricer
from slotbooking.retailers.zones import ZoneFinder, ZoneView

SETUP_V1 = datetime(2026, 11, 1, tzinfo=UTC)
SETUP_V2 = datetime(2026, 11, 2, tzinfo=UTC)


class Timer:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def retailer(retailer_id=1):
    return SimpleNamespace(
        id=retailer_id,
        slug=f"shop-{retailer_id}",
        name="Shop",
        timezone="Europe/London",
        currency="GBP",
        locale="en_GB",
        allowed_origins=[],
        horizon_days=14,
        lead_time_hours=12,
        cutoff=None,
        hold_minutes=15,
        blackout_dates=[],
        pricing={},
        slots_generated_through=None,
        updated_at=SETUP_V1,
    )


class KeySession:
    """Answers find_key (through the patched function) and session.get(Retailer, id)."""

    def __init__(self):
        self.live = {"sk_good": SimpleNamespace(retailer_id=1, kind="secret", id=7)}
        self.asked = 0

    def get(self, _model, retailer_id):
        return retailer(retailer_id)


@pytest.fixture
def key_session(monkeypatch):
    session = KeySession()

    def find_key(s, token):
        s.asked += 1
        return s.live.get(token)

    monkeypatch.setattr(auth, "find_key", find_key)
    return session


def test_a_resolved_key_is_remembered_for_its_seconds_then_asked_again(key_session):
    timer = Timer()
    keys = auth.KeyCache(ttl=10, timer=timer)
    tenant, kind, key_id = keys.resolve(key_session, "sk_good")
    assert (tenant.slug, kind, key_id) == ("shop-1", "secret", 7)
    timer.now = 9.9
    assert keys.resolve(key_session, "sk_good")[0] is tenant
    assert key_session.asked == 1
    timer.now = 10.0
    del key_session.live["sk_good"]  # revoked meanwhile
    assert keys.resolve(key_session, "sk_good") is None
    assert keys.resolve(key_session, "sk_good") is None
    assert key_session.asked == 3, "an unknown or revoked key is never remembered"


def test_with_no_seconds_every_request_asks_the_database(key_session):
    keys = auth.KeyCache(ttl=0)
    for _ in range(3):
        assert keys.resolve(key_session, "sk_good") is not None
    assert key_session.asked == 3


def test_the_key_cache_keeps_at_most_its_size(key_session):
    key_session.live.update(
        {f"sk_{n}": SimpleNamespace(retailer_id=1, kind="secret", id=n) for n in range(3)}
    )
    keys = auth.KeyCache(ttl=60, maxsize=2)
    for token in ("sk_0", "sk_1", "sk_2"):
        keys.resolve(key_session, token)
    asked = key_session.asked
    keys.resolve(key_session, "sk_2")
    keys.resolve(key_session, "sk_0")
    assert key_session.asked == asked + 1, "the oldest key made room"


class ZoneSession:
    def __init__(self, prefixes):
        self.prefixes, self.asked = prefixes, 0

    def execute(self, _query):
        self.asked += 1
        zone = SimpleNamespace(
            id=3, retailer_id=1, depot_id=2, code="N1", name="N1", lat=51.5, lon=-0.1, active=True
        )
        return SimpleNamespace(all=lambda: [(prefix, zone) for prefix in self.prefixes])


def test_zones_are_read_once_per_setup_version():
    finder, session = ZoneFinder(), ZoneSession(["N1", "N5"])
    tenant = SimpleNamespace(id=1, updated_at=SETUP_V1)
    zone = finder.find(session, tenant, "n1 2ab")
    assert isinstance(zone, ZoneView) and zone.code == "N1"
    assert finder.find(session, tenant, "N5 1AA") == zone
    assert session.asked == 1
    session.prefixes = ["N5"]  # a setup import took N1 away and moved updated_at
    with pytest.raises(AddressNotServed):
        finder.find(session, SimpleNamespace(id=1, updated_at=SETUP_V2), "N1 2AB")
    assert session.asked == 2
    finder.find(session, SimpleNamespace(id=2, updated_at=SETUP_V1), "N5 1AA")
    assert session.asked == 3, "each retailer has its own zones"


class DepotSession:
    def __init__(self):
        self.asked = 0

    def get(self, _model, depot_id):
        self.asked += 1
        van = SimpleNamespace(
            vehicle="van", count=2, stops_per_vehicle=20, shift_start="07:00", shift_end="21:30"
        )
        return SimpleNamespace(lat=51.5, lon=-0.1, fleet=[van])


def test_a_depot_and_its_fleet_are_read_once_per_setup_version():
    pricer, session = EnginePricer(), DepotSession()
    tenant = SimpleNamespace(id=1, updated_at=SETUP_V1)
    point, (van,) = pricer._depot_and_fleet(session, tenant, 2)
    assert (van.shift_start_minute, van.shift_end_minute) == (7 * 60, 21 * 60 + 30)
    assert pricer._depot_and_fleet(session, tenant, 2) == (point, (van,))
    assert session.asked == 1
    pricer._depot_and_fleet(session, tenant, 5)
    pricer._depot_and_fleet(session, SimpleNamespace(id=1, updated_at=SETUP_V2), 2)
    assert session.asked == 3


def test_allowed_origins_are_read_again_after_their_seconds(monkeypatch):
    origins = [["https://a.example"], None]
    reads = []

    def scalars(_query):
        reads.append(1)
        return SimpleNamespace(all=lambda: list(origins))

    monkeypatch.setattr(cors, "db", SimpleNamespace(session=SimpleNamespace(scalars=scalars)))
    timer = Timer()
    known = cors.KnownOrigins(ttl=10, timer=timer)
    assert known.get() == {"https://a.example"}
    origins.append(["https://b.example"])
    timer.now = 9.9
    assert known.get() == {"https://a.example"} and len(reads) == 1
    timer.now = 10.0
    assert known.get() == {"https://a.example", "https://b.example"} and len(reads) == 2
