"""Import a setup document into an empty test database once per run, then restore its rows.

Importing the demo retailer makes some 1,600 rows through the ORM (half a second, more on a
busy machine), and most tests start from exactly that. The first import of a document into an
empty database is done for real and its rows are kept: SQLite's whole file (the backup API),
PostgreSQL's rows in a schema of their own (``test_snapshot_<n>``) beside the tables, with each
sequence's position. A later import of the same document, at the same instant, under the same
secrets, into an empty database restores those rows and returns the same keys: the database
holds what a real import would have written, row for row. Anything else is imported for real.

Nothing is restored into a database that already has a row, so an import that updates a
retailer, or follows other rows (staff, another retailer), always runs the use case itself.
"""

import atexit
import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from slotbooking.extensions import db


@dataclass(frozen=True)
class Snapshot:
    keys: dict
    where: str  # the SQLite file, or PostgreSQL's schema
    sequences: tuple = ()  # PostgreSQL: (sequence, last_value, is_called)


_SNAPSHOTS: dict[tuple, Snapshot] = {}
_FOLDER = Path(tempfile.mkdtemp(prefix="slotbooking-snapshots-"))
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)


def snapshot_key(app, document: dict, now) -> tuple:
    """What the imported rows depend on: the document, the instant and the secrets (and the PG database)."""
    engine = db.engine
    where = engine.url.render_as_string() if engine.dialect.name == "postgresql" else "sqlite"
    return (
        where,
        json.dumps(document, sort_keys=True, default=str),
        now.isoformat(),
        app.config["SECRET_KEY"],
        app.config["ENCRYPTION_KEYS"],
    )


def _tables():
    return db.metadata.sorted_tables  # parents first


def owned_sequences() -> list[str]:
    """PostgreSQL: the sequences of the tables' id columns (what TRUNCATE ... RESTART IDENTITY restarts)."""
    calls = [
        f"pg_get_serial_sequence('\"{t.name}\"', '{t.autoincrement_column.name}')"
        for t in _tables()
        if t.autoincrement_column is not None
    ]
    found = db.session.execute(text(f"SELECT {', '.join(calls)}")).one()
    return [name for name in found if name]


def is_empty() -> bool:
    """Whether no table of the app holds a row (one query)."""
    probes = " UNION ALL ".join(
        f'SELECT 1 FROM (SELECT 1 FROM "{t.name}" LIMIT 1) AS "{t.name}"' for t in _tables()
    )
    found = db.session.execute(text(probes)).first() is not None
    db.session.rollback()
    return not found


def restore(key: tuple) -> dict | None:
    """Restore the rows kept for ``key`` into the (empty) database; return the keys, or None."""
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None or not is_empty():
        return None
    if db.engine.dialect.name == "sqlite":
        db.session.remove()
        db.engine.dispose()
        target = db.engine.url.database
        with sqlite3.connect(snapshot.where) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    else:
        statements = []
        for table in _tables():
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            statements.append(
                f'INSERT INTO "{table.name}" ({columns}) OVERRIDING SYSTEM VALUE'
                f' SELECT {columns} FROM {snapshot.where}."{table.name}"'
            )
        statements += [
            f"SELECT setval('{name}', {value}, {'true' if called else 'false'})"
            for name, value, called in snapshot.sequences
        ]
        db.session.execute(text("; ".join(statements)))
        db.session.commit()
    return dict(snapshot.keys)


def keep(key: tuple, keys: dict) -> None:
    """Keep the rows the database holds now (right after a real import into it when empty)."""
    if db.engine.dialect.name == "sqlite":
        db.session.remove()
        kept = _FOLDER / f"snapshot-{len(_SNAPSHOTS)}.db"
        with sqlite3.connect(db.engine.url.database) as source, sqlite3.connect(kept) as copy:
            source.backup(copy)
        _SNAPSHOTS[key] = Snapshot(dict(keys), str(kept))
        return
    schema = f"test_snapshot_{len(_SNAPSHOTS)}"
    statements = [f"CREATE SCHEMA {schema}"]
    for table in _tables():
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        statements.append(f'CREATE TABLE {schema}."{table.name}" AS SELECT {columns} FROM "{table.name}"')
    db.session.execute(text("; ".join(statements)))
    names = owned_sequences()
    sequences = tuple(
        (name, *db.session.execute(text(f"SELECT last_value, is_called FROM {name}")).one()) for name in names
    )
    db.session.commit()
    _SNAPSHOTS[key] = Snapshot(dict(keys), schema, sequences)
