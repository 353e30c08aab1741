"""Grid versions without a database round trip per cache hit, the database still their anchor.

Why: a warm GET /slots read its grid's capacity version (``capacity_version``) from PostgreSQL on
every request, the largest single cost of a hit (bench/README.md). Each process now runs one
background thread that reads, every ``CAPACITY_VERSION_POLL_SECONDS``, every depot's
``count(*) + sum(lock_seq)`` over its depot days from two days ago on (one grouped read). Since
both only grow, a depot's total moves exactly when one of its days changed. A grid's version is
still read from the database, but only when its depot's total moved since this process last
read it (or this process committed anything since: its own writes are seen at once). Versions
are the database's own numbers, so an entry in Redis means the same in every process, and a
Redis restored from an old snapshot still cannot bring old versions back.

The bound: a version kept in memory is used only while the last completed poll *started* at
most ``CAPACITY_VERSION_STALE_SECONDS`` ago (1 s): every commit before that start is in it, so a
grid never shows a change of another process later than that (typically one poll, 0.1 s, late).
Otherwise (the thread is starting, lagging, or its reads fail) every request reads its version
itself, as before. On drivers other than psycopg (SQLite) there is no watch. A process that
forks (gunicorn) starts its own thread, and a thread nobody asked for ``IDLE_SECONDS`` stops
(the next request starts it again), as does the thread of an engine that is disposed.

Changes shown at once, the database still the bound: after a commit that bumped a depot day, the
committing process increments that depot's change counter in Redis (``depot_changed``, then the
``after_commit`` listener below), and a hit reads the counter in the same round trip as its entry
(``Cache.lookup_entry``). A version kept in memory is used only while the counter still holds
the value read with it, so a change made through the app in any process is seen by the next hit
of every process, not a poll later. The counter is only ever a reason to read again: a lost
increment (Redis away at that moment, a crash between the commit and it, SQL by hand) or a
counter that Redis forgot or restored from an old snapshot falls back to the poll's bound above.

Why polling and not LISTEN/NOTIFY: PostgreSQL serialises the commits of every transaction that
notifies (a database-wide lock held through the commit's WAL flush), which would put a queue on
the booking path, and notifications still need a round trip of our own to bound how late they
may arrive. One grouped read per process per poll costs the database less than a read per hit.
"""

import contextlib
import itertools
import logging
import os
import threading
import time
import weakref
from datetime import date, timedelta

from sqlalchemy import bindparam, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from slotbooking.common.driver_read import driver_sql
from slotbooking.slots.models import DepotDay

log = logging.getLogger(__name__)
IDLE_SECONDS = 30.0
MAX_KEPT = 10_000  # grid ranges remembered per process (depot x first day x length)
SINCE_DAYS = 2  # days before the clock's UTC date polled: a grid starts at its zone's local today

_DEPOT_TOTALS = (
    select(DepotDay.depot_id, func.count() + func.coalesce(func.sum(DepotDay.lock_seq), 0))
    .where(DepotDay.service_date >= bindparam("watch_since"))
    .group_by(DepotDay.depot_id)
)

# Commits made in this process, counted after each commit: a version read before our own
# commit is never used after it.
_local_commits = itertools.count()
_commits_seen = [0]


def _count_commit(*_args) -> None:
    _commits_seen[0] = next(_local_commits) + 1


event.listen(Session, "after_commit", _count_commit)
event.listen(Engine, "commit", _count_commit)

_CHANGED = "slotbooking.depots_changed"


def depot_changed(session, depot_id: int) -> None:
    """Note that this transaction bumped one of the depot's days: told to other processes after commit."""
    changed = session.info.get(_CHANGED)
    if changed is None:
        changed = session.info[_CHANGED] = set()
    changed.add(depot_id)


@event.listens_for(Session, "after_commit")
def _signal_changes(session) -> None:
    changed = session.info.pop(_CHANGED, None)
    if not changed:
        return
    watch = _watches.get(session.get_bind())
    if watch is not None and watch.signals is not None:
        watch.signals.signal([change_key(depot_id) for depot_id in sorted(changed)])


@event.listens_for(Session, "after_rollback")
def _forget_changes(session) -> None:
    session.info.pop(_CHANGED, None)


def change_key(depot_id: int) -> str:
    """The name of the depot's change counter in Redis (read with a grid's entry)."""
    return f"depot:{depot_id}"


class VersionWatch:
    """One process's view of which depots changed, for one engine (see the module's docstring)."""

    def __init__(self, engine, clock, poll_seconds: float, stale_seconds: float, signals=None):
        self.engine, self.clock = engine, clock
        self.signals = signals  # the Cache whose counters tell other processes of a commit
        self.poll_seconds, self.stale_seconds = poll_seconds, stale_seconds
        self.answered = {"memory": 0, "database": 0}  # tests, and a look at a live process
        self._versions: dict[tuple, tuple] = {}  # (depot, first, last) -> (stamp, version)
        self._generations: dict[int, int] = {}  # depot -> how often its total moved
        self._totals: dict[int, int] = {}
        self._epoch = 0  # moves when the thread (re)starts: nothing from before is trusted
        self._synced_at: float | None = None  # monotonic start of the last completed poll
        self._since: date | None = None
        self._used_at = 0.0
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def version(self, depot_id: int, first: date, last: date, read, signal=None) -> int:
        """Return the grid's version: the one this process read, if it still holds, else ``read()``.

        ``signal``: the depot's change counter, read from Redis before this call (None: no
        counter, or no Redis); a kept version is used only with the same counter.
        """
        now = time.monotonic()
        self._used_at = now
        if self._thread is None or self._pid != os.getpid():
            self._start()
        synced, since = self._synced_at, self._since
        if synced is None or now - synced > self.stale_seconds or since is None or first < since:
            self.answered["database"] += 1
            return read()
        stamp = (self._epoch, self._generations.get(depot_id, 0), _commits_seen[0], signal)
        key = (depot_id, first, last)
        kept = self._versions.get(key)
        if kept is not None and kept[0] == stamp:
            self.answered["memory"] += 1
            return kept[1]
        self.answered["database"] += 1
        value = read()
        if len(self._versions) >= MAX_KEPT:
            self._versions.clear()
        self._versions[key] = (stamp, value)
        return value

    @property
    def synced(self) -> bool:
        """Whether versions kept in memory are being used now (for tests and /healthz-style checks)."""
        synced = self._synced_at
        return synced is not None and time.monotonic() - synced <= self.stale_seconds

    def stop(self) -> None:
        """Stop the thread (tests; a process that ends just lets its daemon thread go)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(5)

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._forget()
            self._stop.clear()
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, args=(self._pid,), name="capacity-version-watch", daemon=True
            )
            self._thread.start()

    def _forget(self) -> None:
        self._synced_at = None
        self._epoch += 1
        self._totals = {}
        self._versions = {}

    def _connect(self):
        """A driver connection of the thread's own, in autocommit, made as the engine makes its own
        (the pool's connections stay the requests'; this one is closed when the thread stops)."""
        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        return self.engine.dialect.loaded_dbapi.connect(*args, **{**kwargs, "autocommit": True})

    def _run(self, pid: int) -> None:
        failures, connection = 0, None
        try:
            while not self._stop.is_set() and os.getpid() == pid:
                if time.monotonic() - self._used_at > IDLE_SECONDS:
                    return
                started = time.monotonic()
                try:
                    if connection is None:
                        connection = self._connect()
                    self.poll(connection, started)
                    failures = 0
                except Exception as error:  # the database is away: per-request reads meanwhile
                    self._synced_at = None
                    if failures == 0:
                        log.warning("capacity version watch: %s", error.__class__.__name__)
                    failures += 1
                    connection = _closed(connection)
                pause = self.poll_seconds * min(2**failures, 50)
                self._pause(max(0.0, pause - (time.monotonic() - started)))
        finally:
            _closed(connection)
            with self._lock:
                if self._thread is threading.current_thread():
                    self._synced_at, self._thread = None, None

    def _pause(self, seconds: float) -> None:
        """Sleep, a poll interval at a time, until ``seconds`` have passed or the watch is stopped.

        Plain sleeps, not ``Event.wait(timeout)``: a timed wait never returns under libfaketime
        (the suite's moved-date run), where the watch would poll once and fall out of sync.
        """
        deadline = time.monotonic() + seconds
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, self.poll_seconds))

    def poll(self, connection, started: float) -> None:
        """Read every depot's total once; move the generation of each depot whose total moved."""
        since = self.clock().date() - timedelta(days=SINCE_DAYS)
        sql, fixed = driver_sql(_DEPOT_TOTALS, self.engine.dialect)
        rows = connection.execute(sql, {**fixed, "watch_since": since}).fetchall()
        totals = {depot_id: int(total) for depot_id, total in rows}
        if since != self._since:
            self._epoch += 1  # a new day dropped out of the totals: start afresh
        for depot_id in totals.keys() | self._totals.keys():
            if totals.get(depot_id) != self._totals.get(depot_id):
                self._generations[depot_id] = self._generations.get(depot_id, 0) + 1
        self._totals, self._since = totals, since
        self._synced_at = started


def _closed(connection) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):  # already broken: nothing left to close
            connection.close()


_watches: "weakref.WeakKeyDictionary[Engine, VersionWatch]" = weakref.WeakKeyDictionary()


def watch_engine(
    engine, clock, poll_seconds: float, stale_seconds: float, signals=None
) -> VersionWatch | None:
    """Keep versions of this engine's grids in memory (psycopg only; 0 s: no watch).

    ``signals``: the app's Cache, told of each commit's changed depots (None: no Redis).
    """
    if poll_seconds <= 0 or engine.dialect.driver != "psycopg":
        _watches.pop(engine, None)
        return None
    stale_seconds = max(stale_seconds, poll_seconds)
    watch = _watches[engine] = VersionWatch(engine, clock, poll_seconds, stale_seconds, signals)
    # A disposed engine (tests, a shutdown) stops its thread, which would refill the pool.
    event.listen(engine, "engine_disposed", lambda _engine: watch.stop())
    return watch


def watch_of(engine) -> VersionWatch | None:
    return _watches.get(engine)


def watched_version(engine, depot_id: int, first: date, last: date, read, signal=None) -> int:
    """Return the grid's version through the engine's watch, or ``read()`` when it has none."""
    watch = _watches.get(engine)
    return read() if watch is None else watch.version(depot_id, first, last, read, signal)
