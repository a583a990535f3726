"""Fixtures that run the repository contract suite on SQLite, on PostgreSQL and in memory.

Each database is migrated once per test session with Alembic (PostgreSQL in a throwaway
schema); every test starts from empty tables. A test that asks for `engine` reads or writes
SQL itself (rows, statements, migrations), so it runs on the SQL databases only."""

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import pytest
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from adapters.sql.database import create_engine, session_factory
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.tables import Base
from adapters.sql.unit_of_work import SqlUnitOfWork
from ports.unit_of_work import UnitOfWork
from tests.support.s3_server import s3  # noqa: F401 (the S3 server fixture)
from tests.support.services import unavailable

POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


SQL_BACKENDS = ["sqlite", "postgresql"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        sql_only = "engine" in metafunc.fixturenames
        backends = SQL_BACKENDS if sql_only else [*SQL_BACKENDS, "memory"]
        metafunc.parametrize("backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
async def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'parla.db'}"
    await _require_postgres()
    return POSTGRES_URL


async def _require_postgres() -> None:
    engine = create_engine(POSTGRES_URL, pool_size=1, connect_args={"timeout": 5})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to connect means "unavailable"
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error!r}")
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The migrated database; on PostgreSQL a schema of its own, dropped at the end."""
    if not database_url.startswith("postgresql"):
        await upgrade_to_head(database_url)
        engine = create_engine(database_url)
        try:
            yield engine
        finally:
            await engine.dispose()
        return

    schema = f"parla_test_{uuid.uuid4().hex[:12]}"
    connect_args: dict[str, Any] = {"server_settings": {"search_path": schema}}
    admin = create_engine(database_url, pool_size=1)
    async with admin.begin() as connection:
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(database_url, pool_size=5, connect_args=connect_args)
    try:
        await upgrade_to_head(database_url, connect_args=connect_args)
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()


class UowFactory(Protocol):
    def __call__(self, on_outbox_commit: Callable[[], None] | None = None) -> UnitOfWork: ...


@pytest.fixture
def memory_database() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def uow_factory(backend: str, request: pytest.FixtureRequest) -> UowFactory:
    """Units of work on empty tables of the backend."""
    if backend == "memory":
        database: InMemoryDatabase = request.getfixturevalue("memory_database")
        return lambda on_outbox_commit=None: InMemoryUnitOfWork(database, on_outbox_commit)
    return request.getfixturevalue("sql_uow_factory")


@pytest.fixture
async def sql_uow_factory(engine: AsyncEngine) -> UowFactory:
    # Children first, so that this also works without cascades. The outbox relays' turn
    # marker is not data: its one row stays.
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "outbox_relay":
                await connection.execute(delete(table))
    sessions = session_factory(engine)
    return lambda on_outbox_commit=None: SqlUnitOfWork(sessions, on_outbox_commit)
