"""One scalar read in autocommit on a pooled connection, with as little Python as the driver allows.

Why: a warm GET /slots makes exactly one database round trip, the grid's capacity version
(docs/cache.md). Through SQLAlchemy's Connection (checkout, isolation options, execution context,
compiled-cache lookup, result object) that read cost about 2.5 times the CPU of the psycopg call
itself, and it was the largest single cost of a cache hit (bench/README.md). On psycopg the
statement, compiled once by SQLAlchemy's own dialect from the same Core statement, goes straight
to the driver connection checked out of the engine's pool; other drivers (SQLite: the demo and
the unit tests) take the Core path. Either way: the same SQL, one round trip, no BEGIN/ROLLBACK.

Errors come out as SQLAlchemy's (an OperationalError answers 503 unavailable, as on every other
path), and a connection that failed, or was interrupted, is invalidated instead of going back to
the pool (it could still be in autocommit, which must never reach a transaction).
"""

import functools

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import scoped_session


@functools.lru_cache(maxsize=32)
def driver_sql(statement, dialect) -> tuple[str, dict]:
    """The statement's SQL text for the driver and its fixed values (literals become parameters).

    Statements are module constants and dialects one per engine, so this is compiled once.
    """
    compiled = statement.compile(dialect=dialect)
    return str(compiled), {k: v for k, v in compiled.params.items() if v is not None}


def engine_of(session):
    """Return the engine a session reads from, without making a Session just to ask.

    A warm GET /slots uses no ORM session at all: asking Flask-SQLAlchemy's scoped ``db.session``
    for its bind would make one and close it at teardown (about 25 us of CPU, measured), so while
    none exists the engine is read from the factory's own ``db`` (the same engine get_bind gives).
    """
    if isinstance(session, scoped_session) and not session.registry.has():
        kw = session.session_factory.kw
        if kw.get("bind") is not None:
            return kw["bind"]
        if kw.get("db") is not None:
            return kw["db"].engine
    return session.get_bind()


def scalar_in_autocommit(engine, statement, params: dict):
    """Run a one-row, one-column SELECT in autocommit and return its value."""
    if engine.dialect.driver != "psycopg":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            return connection.execute(statement, params).scalar_one()
    sql, fixed = driver_sql(statement, engine.dialect)
    params = {**fixed, **params}
    dbapi_error = engine.dialect.loaded_dbapi.Error
    pooled = None
    try:
        pooled = engine.raw_connection()  # a failed connect raises the driver's own error too
        driver = pooled.driver_connection
        driver.autocommit = True
        value = driver.execute(sql, params).fetchone()[0]
        driver.autocommit = False
        return value
    except BaseException as error:
        if pooled is not None:
            pooled.invalidate(error if isinstance(error, Exception) else None)
        if isinstance(error, dbapi_error):
            raise DBAPIError.instance(
                sql,
                params,
                error,
                dbapi_error,
                hide_parameters=True,
                connection_invalidated=pooled is not None,
                dialect=engine.dialect,
            ) from error
        raise
    finally:
        if pooled is not None:
            pooled.close()
