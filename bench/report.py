"""The table bench_api.py prints: measured figures against the targets."""

import os
from datetime import UTC, datetime

TARGETS = {"ratio": 0.50, "p99_ms": 30.0, "bookings_per_s": 300.0, "overbookings": 0}


def verdict(ok: bool, clean: bool = True) -> str:
    return "PASS" if ok and clean else "MISS"


def statuses(stats: dict) -> str:
    text = " ".join(f"{code}:{n}" for code, n in sorted(stats["statuses"].items()))
    return text + (f" sock-err:{stats['socket_errors']}" if stats["socket_errors"] else "")


def unexpected(stats: dict, allowed: set[str]) -> dict:
    """Answers that should not happen in a run (they make its figures meaningless)."""
    odd = {code: n for code, n in stats["statuses"].items() if code not in allowed}
    if stats["socket_errors"]:
        odd["socket errors"] = stats["socket_errors"]
    return odd


def report(args, results: dict) -> str:
    warm, ceiling, miss, no_redis, book = (
        results[k] for k in ("slots_warm", "ceiling", "slots_miss", "slots_no_redis", "bookings")
    )
    ratio = warm["rps"] / ceiling["rps"]
    over = book["overbookings"]["count"]
    odd = {
        "GET /slots, cache warm": unexpected(warm, {"200"}),
        "ceiling": unexpected(ceiling, {"200"}),
        "GET /slots, cache miss": unexpected(miss, {"200"}),
        "GET /slots, Redis off": unexpected(no_redis, {"200"}),
        "POST /bookings": unexpected(book, {"201", "409"}),
    }
    for name, stats in (("GET /slots, cache miss", miss),):
        if stats.get("invalid"):
            odd[name] = {"invalid": stats["invalid"]}
    clean = not any(odd.values())
    rows = [
        ("GET /slots, cache warm", f"{warm['rps']:.0f} req/s", warm, "p99 <= 30 ms",
         verdict(warm["p99_ms"] <= TARGETS["p99_ms"], clean)),
        ("ceiling: Flask + Redis GET", f"{ceiling['rps']:.0f} req/s", ceiling, "", ""),
        ("slots / ceiling", f"{ratio:.0%}", None, ">= 50%", verdict(ratio >= TARGETS["ratio"], clean)),
        ("GET /slots, cache miss", f"{miss['rps']:.0f} req/s", miss, "", ""),
        ("GET /slots, Redis off", f"{no_redis['rps']:.0f} req/s", no_redis, "", ""),
        ("POST /bookings (hold+book)", f"{book['bookings_per_s']:.0f} bookings/s", book, ">= 300/s",
         verdict(book["bookings_per_s"] >= TARGETS["bookings_per_s"], clean)),
        ("overbookings (slots+depot days)", str(over), None, "0",
         verdict(over == TARGETS["overbookings"], clean)),
    ]  # fmt: skip
    header = (
        f"{'measure':<32} {'result':>17} {'p50 ms':>7} {'p99 ms':>7}  {'target':<13} {'':<4}  "
        f"{'app CPU/req':>11} {'other CPU':>9}  answers"
    )
    lines = [header, "-" * len(header)]
    for name, value, stats, target, mark in rows:
        p50 = f"{stats['p50_ms']:.1f}" if stats else ""
        p99 = f"{stats['p99_ms']:.1f}" if stats else ""
        answers = statuses(stats) if stats else ""
        other = f"{stats['other_cpu']:.0%}" if stats else ""
        app_cpu = f"{stats['server_cpu_ms']:.2f} ms" if stats else ""
        lines.append(
            f"{name:<32} {value:>17} {p50:>7} {p99:>7}  {target:<13} {mark:<4}  {app_cpu:>11} {other:>9}  "
            f"{answers}"
        )
    lines.append("")
    for name, answers in odd.items():
        if answers:
            lines.append(f"INVALID RUN: {name}: {answers}; targets count as MISS")
    lines.append(
        "app CPU/req: CPU time of the gunicorn processes per answered request (steadier than req/s "
        "on a shared machine). other CPU: share of the CPUs used during the run by processes other "
        "than this benchmark's servers, wrk, PostgreSQL and Redis (other people's work); it lowers "
        "the figures."
    )
    if args.repeat > 1:
        lines.append(
            f"Best of {args.repeat} runs each; all runs, req/s: slots warm {warm['runs']}, ceiling "
            f"{ceiling['runs']}, miss {miss['runs']}, Redis off {no_redis['runs']}; bookings/s "
            f"{book['runs_bookings_per_s']}."
        )
    lines.append(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs (wrk, gunicorn, PostgreSQL and Redis "
        f"share them); gunicorn {args.workers} sync workers; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s after {args.warmup} s warm-up; /slots body {warm['body_bytes']} bytes."
    )
    lines.append(
        f"Booking run: {book['targets']['windows']} windows over {book['targets']['days']} days, capacities "
        f"x{args.capacity_scale} except {len(book['targets']['hot'])} hot windows "
        f"({book['hot_full']} of them exactly full); {book['statuses'].get('201', 0)} answers 201 and "
        f"{book['in_flight_at_stop']} in flight when wrk stopped = {book['confirmed_in_run']} bookings "
        f"stored by the measured run; {book['confirmed_total']} bookings in all."
    )
    return "\n".join(lines)
