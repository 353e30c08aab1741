"""python -m pricing.simulate --seed 7: compare flat, the static rules and dynamic pricing."""

from __future__ import annotations

import argparse
import time

from pricing.simulate.city import SimConfig
from pricing.simulate.policies import POLICIES, PROBES
from pricing.simulate.run import format_fits, format_flexibility, format_table, format_verdict, simulate


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, run the simulation and print the table."""
    defaults = SimConfig()
    parser = argparse.ArgumentParser(prog="python -m pricing.simulate", description=__doc__)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--zones", type=int, default=defaults.zones)
    parser.add_argument(
        "--shoppers", type=int, default=defaults.shoppers_per_zone_day, help="per zone and day"
    )
    parser.add_argument("--iterations", type=int, default=defaults.routing_iterations, help="PyVRP, per run")
    parser.add_argument("--runs", type=int, default=defaults.routing_runs, help="PyVRP runs per day")
    parser.add_argument(
        "--policies",
        default=",".join(POLICIES),
        help="comma-separated; the issue's grid (the default): "
        + ", ".join(POLICIES)
        + "; diagnostic probes (docs/pricing.md, Simulator): "
        + ", ".join(PROBES),
    )
    parser.add_argument("--jobs", type=int, default=1, help="policies run in this many processes")
    args = parser.parse_args(argv)
    config = SimConfig(
        seed=args.seed,
        days=args.days,
        zones=args.zones,
        shoppers_per_zone_day=args.shoppers,
        routing_iterations=args.iterations,
        routing_runs=args.runs,
    )
    policies = [name.strip() for name in args.policies.split(",") if name.strip()]
    started = time.perf_counter()
    reports = simulate(config, policies, jobs=args.jobs)
    print(
        f"seed {config.seed}, {config.days} days, {config.zones} zones, "
        f"{config.shoppers_per_zone_day} shoppers per zone and day, "
        f"{config.fleet_description()}, "
        f"PyVRP best of {config.routing_runs} x {config.routing_iterations} iterations per day"
    )
    print(format_table(reports))
    print(format_verdict(reports))
    for report in reports:
        if report.fits:
            print(f"{report.policy}'s choice model, refitted each night on its own offers:")
            print(format_fits(report))
        if report.flexibility:
            print(f"{report.policy}'s flexibility, measured each night by re-planning the day widened:")
            print(format_flexibility(report))
    print(f"ran in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
