"""The simulator runs end to end on a tiny city in seconds."""

from pricing.simulate.__main__ import main
from pricing.simulate.city import SimConfig
from pricing.simulate.run import simulate

TINY = SimConfig(seed=3, days=1, zones=1, shoppers_per_zone_day=15, routing_iterations=100)


def test_every_policy_serves_the_same_shoppers_and_routes_them():
    reports = simulate(TINY)
    assert [r.policy for r in reports] == ["flat", "static", "dynamic"]
    for report in reports:
        assert report.shoppers == 15
        assert 0 < report.bookings <= report.shoppers
        assert report.km > 0 and report.vehicle_days >= 1 and report.co2_kg > 0
        assert report.routes_feasible


def test_same_seed_gives_the_same_table():
    assert simulate(TINY) == simulate(TINY)


def test_command_line_prints_a_row_per_policy(capsys):
    main(["--seed", "3", "--days", "1", "--zones", "1", "--shoppers", "10", "--iterations", "50"])
    out = capsys.readouterr().out
    for policy in ("flat", "static", "dynamic"):
        assert f"\n{policy} " in out
    assert "km per order" in out
