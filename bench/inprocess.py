"""What warm_inprocess.py and book_inprocess.py share: a checkout's app in a child process, the
CPU of repeated calls, and instructions counted under valgrind's callgrind."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROUNDS = 5


def checkout_app(source: Path):
    """Inside the child: import the checkout's own app (not this one's) and return it."""
    sys.path.insert(0, str(source))
    os.chdir(source)
    import slotbooking

    assert Path(slotbooking.__file__).is_relative_to(source), slotbooking.__file__
    from wsgi import app

    return app


def cpu_rounds(action, count: int) -> list[float]:
    """µs of process CPU per call of ``action``, for ROUNDS rounds of ``count`` calls."""
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(count):
            action()
        rounds.append((time.process_time() - started) / count * 1e6)
    return rounds


def run_child(script: str, source: Path, env: dict, key: str, count: int, mode: str, timeout: int, wrap=()):
    """Run ``script --child`` on the checkout (under ``wrap``, e.g. valgrind); return the finished run."""
    command = [*wrap, sys.executable, script, str(source), "--child", key, str(count), mode]
    return subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout, check=True
    )


def instructions_of(script: str, source: Path, env: dict, key: str, count: int, timeout: int) -> int:
    """User-space instructions the child executes in all, under callgrind."""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"callgrind.{os.getpid()}.out"
    wrap = ("valgrind", "--tool=callgrind", f"--callgrind-out-file={out}")
    try:
        done = run_child(script, source, env, key, count, "instructions", timeout, wrap)
    finally:
        out.unlink(missing_ok=True)
    collected = re.findall(r"Collected : (\d+)", done.stderr)
    if not collected:
        raise RuntimeError(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(collected[-1])
