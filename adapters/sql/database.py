"""Engines and sessions for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from pathlib import Path
from typing import Any

from sqlalchemy import URL, event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from ports.metrics import Metrics

SQLITE_BUSY_TIMEOUT_MS = 5000

# Bare scheme names (as found in DATABASE_URL settings) -> the async drivers we ship.
_ASYNC_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
}


def normalize_url(url: str) -> URL:
    """`url` with a bare `postgresql://`, `postgres://` or `sqlite:///` scheme given its
    async driver; URLs naming a driver are kept as they are."""
    parsed = make_url(url)
    return parsed.set(drivername=_ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername))


def create_engine(
    url: str,
    *,
    pool_size: int = 20,
    max_overflow: int = 10,
    connect_args: dict[str, Any] | None = None,
    sqlite_foreign_keys: bool = True,
) -> AsyncEngine:
    """An engine for `url`.

    PostgreSQL gets a pre-pinged pool of `pool_size` (+ `max_overflow`) connections.
    A SQLite file gets one connection, WAL, a busy timeout, real transactions (so savepoints
    and DDL are transactional) and enforced foreign keys unless `sqlite_foreign_keys` is False,
    which migrations need: batch mode copies and drops tables, and a drop would cascade."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=True,
            connect_args=connect_args or {},
        )
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One connection per process: SQLite has one writer at a time, and a transaction that
    # read before another connection committed cannot write at all (SQLITE_BUSY, whatever
    # the busy timeout). Queueing transactions on the pool instead keeps concurrent writes
    # correct; each is a few milliseconds.
    pool = {} if database in ("", ":memory:") else {"pool_size": 1, "max_overflow": 0}
    engine = create_async_engine(parsed, connect_args=connect_args or {}, **pool)
    _configure_sqlite(engine, foreign_keys=sqlite_foreign_keys)
    return engine


# Connections of a SQLite file's read engine: WAL lets them read while the one writer writes,
# each in a thread of its own.
SQLITE_READERS = 2


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """An engine for reads only, on `engine`'s database: its connections begin no
    transaction, so a read pays no BEGIN and no ROLLBACK (on SQLite, no write lock either),
    and each statement sees what was committed when it runs.

    PostgreSQL: `engine`'s pool in autocommit. A SQLite file: connections of their own (its
    writer's one connection would queue reads behind writes), read-only (`query_only`).
    An in-memory SQLite database has no other connection to read it: `engine` itself."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    database = url.database or ""
    if database in ("", ":memory:"):
        return engine
    # No transaction is ever begun on these connections: nothing to roll back when one
    # goes back to the pool (each rollback is a round trip to the driver's thread).
    readers = create_async_engine(
        url, pool_size=SQLITE_READERS, max_overflow=0, pool_reset_on_return=None
    )

    @event.listens_for(readers.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN, never sent
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return readers


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    # The recipe of SQLAlchemy's SQLite docs: take BEGIN away from the sqlite3 driver, which
    # would otherwise run SELECT, DDL and SAVEPOINT outside the transaction.
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    # Across processes on one file (replicas, the outbox relay of each), IMMEDIATE takes the
    # write lock up front: a deferred transaction that read before another process wrote
    # would fail at once when it writes, whereas waiting for the lock lets busy_timeout apply.
    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay readable after commit; repositories copy them into dataclasses anyway.
    return async_sessionmaker(engine, expire_on_commit=False)


def measure_pool(engine: AsyncEngine, metrics: Metrics) -> None:
    """Reports the pool's lent and kept connections at every checkout and checkin."""
    pool = engine.sync_engine.pool
    # A QueuePool keeps `size()`; SQLite's in-memory pool keeps one connection.
    size = pool.size() if isinstance(pool, QueuePool) else 1
    # Counted here: the pool's own count moves only after the checkin event.
    checked_out = 0

    def lent(*_: Any) -> None:
        nonlocal checked_out
        checked_out += 1
        metrics.database_pool(checked_out, size)

    def returned(*_: Any) -> None:
        nonlocal checked_out
        checked_out -= 1
        metrics.database_pool(checked_out, size)

    event.listen(engine.sync_engine, "checkout", lent)
    event.listen(engine.sync_engine, "checkin", returned)
    metrics.database_pool(checked_out, size)
