"""Load generation for bench_api.py: wrk runs, and how busy the machine was meanwhile."""

import json
import os
import subprocess
import time
from datetime import datetime
from pathlib import Path


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def run_wrk(args, url: str, script: Path, seconds: int, headers=(), script_args=()) -> dict:
    """One wrk run; returns the BENCH_JSON line of stats.lua as a dict."""
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{seconds}s"]
    command += ["--timeout", "10s", "--latency", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    stats = json.loads(line.removeprefix("BENCH_JSON "))
    stats["seconds"] = stats["duration_us"] / 1e6
    stats["rps"] = stats["requests"] / stats["seconds"]
    stats["p50_ms"] = stats["latency_us"]["p50"] / 1000
    stats["p99_ms"] = stats["latency_us"]["p99"] / 1000
    stats["socket_errors"] = sum(v for k, v in stats["errors"].items() if k != "status")
    return stats


SHARED_SERVICES = ("postgres", "redis-server")


def process_cpu() -> dict[int, tuple[int, str, float]]:
    """{pid: (parent pid, name, CPU seconds used so far)} of every process (empty without /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / tick)
    return table


def cpu_split(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds used between two process_cpu() snapshots by: "server" (this benchmark's gunicorn
    processes), "wrk", "services" (PostgreSQL and Redis, whoever asked them) and "others" (other
    people's processes competing for the machine)."""
    me = os.getpid()

    def ours(pid: int) -> bool:
        for _ in range(64):  # walk up the parents
            if pid == me:
                return True
            if pid not in after or pid <= 1:
                return False
            pid = after[pid][0]
        return False

    used = dict.fromkeys(("server", "wrk", "services", "others"), 0.0)
    for pid, (_parent, name, cpu) in after.items():
        delta = cpu - before.get(pid, (0, name, 0.0))[2]
        if pid == me:
            continue
        if name.startswith(SHARED_SERVICES):
            used["services"] += delta
        elif ours(pid):
            used["wrk" if name == "wrk" else "server"] += delta
        else:
            used["others"] += delta
    return used


def others_cpu(before: dict, after: dict, seconds: float) -> float:
    """Share of all CPUs that other people's processes used."""
    return max(0.0, cpu_split(before, after)["others"] / seconds / (os.cpu_count() or 1))


def quiet_machine(args, label: str) -> float:
    """Wait (at most --quiet-wait s) until other people's processes leave the CPUs mostly idle."""
    deadline = time.monotonic() + args.quiet_wait

    def busy() -> float:
        before = process_cpu()
        time.sleep(0.5)
        return others_cpu(before, process_cpu(), 0.5)

    share = busy()
    while share > args.quiet_below and time.monotonic() < deadline:
        say(f"{label}: other processes use {share:.0%} of the CPUs, waiting")
        time.sleep(2)
        share = busy()
    return share


def measure(args, label: str, url: str, script: Path, headers=(), script_args=()) -> dict:
    """Warm up, then --repeat measured runs; return the fastest (noise from other work only ever
    slows a run down), with every run's requests/s kept in "runs". A script argument "{run}" is
    replaced by the run's name (warmup, measure1, ...)."""

    def named(run: str) -> tuple[str, ...]:
        return tuple(a.replace("{run}", run) for a in script_args)

    if args.warmup:
        say(f"{label}: warm-up {args.warmup} s")
        run_wrk(args, url, script, args.warmup, headers, named("warmup"))
    runs = []
    for number in range(1, args.repeat + 1):
        background = quiet_machine(args, label)
        say(f"{label}: measuring {args.duration} s at {args.connections} connections")
        before, started = process_cpu(), time.monotonic()
        stats = run_wrk(args, url, script, args.duration, headers, named(f"measure{number}"))
        after, seconds = process_cpu(), time.monotonic() - started
        used = cpu_split(before, after)
        stats["other_cpu"] = max(0.0, used["others"] / seconds / (os.cpu_count() or 1))
        answered = max(1, stats["requests"])
        stats["server_cpu_ms"] = 1000 * used["server"] / answered
        stats["services_cpu_ms"] = 1000 * used["services"] / answered
        stats["background_cpu"] = background
        stats["run_name"] = f"measure{number}"
        say(
            f"{label}: {stats['rps']:.0f} req/s, p50 {stats['p50_ms']:.1f} ms, p99 {stats['p99_ms']:.1f} ms, "
            f"statuses {stats['statuses']}, socket errors {stats['socket_errors']}, "
            f"CPU per request: app {stats['server_cpu_ms']:.2f} ms, PostgreSQL+Redis "
            f"{stats['services_cpu_ms']:.2f} ms; other processes used {stats['other_cpu']:.0%} of the CPUs"
        )
        runs.append(stats)
    best = max(runs, key=lambda r: r["rps"])
    best["runs"] = [round(r["rps"], 1) for r in runs]
    best["all_runs"] = [{k: v for k, v in r.items() if k not in ("runs", "all_runs")} for r in runs]
    return best
