"""Golden outputs: the engine's speed-ups must not change a single price, reason or figure."""

import json

import pytest

from pricing import price_windows
from pricing.density import _project_zone
from tests.unit.pricing.golden_cases import CASES, FIXTURE, case, snapshot

GOLDEN = json.loads(FIXTURE.read_text())


def test_fixture_covers_every_case():
    assert len(GOLDEN) == CASES


@pytest.mark.parametrize("index", range(CASES))
def test_outputs_match_golden(index):
    _project_zone.cache_clear()  # cold, as a new zone-day is priced
    assert snapshot(price_windows(case(index))) == GOLDEN[index]


def test_cached_projection_gives_the_same_outputs():
    for index in range(0, CASES, 7):
        price_windows(case(index))
        assert snapshot(price_windows(case(index))) == GOLDEN[index]


def test_without_highspy_cbc_prices_the_day(monkeypatch):
    from pricing import highs_lp

    monkeypatch.setattr(highs_lp, "available", lambda: False)
    request = case(0)
    result = price_windows(request)
    assert result.solver == "cbc"
    assert set(result.windows) == {w.key for w in request.windows}
