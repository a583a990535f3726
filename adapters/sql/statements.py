"""The statements every repository writes with: an insert or an update of one row in a
savepoint, with unique violations reported as Conflict, and an upsert in either dialect."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.tables import Base
from domain.errors import Conflict, NotFound

_SQLITE_UNIQUE_ERRORS = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def is_unique_violation(error: IntegrityError) -> bool:
    # asyncpg reports the SQLSTATE, sqlite3 the extended result code.
    driver_error = error.orig
    return (
        getattr(driver_error, "sqlstate", None) == "23505"
        or getattr(driver_error, "sqlite_errorname", None) in _SQLITE_UNIQUE_ERRORS
    )


async def insert_row(
    session: AsyncSession, what: str, row: Base, dependents: Sequence[Base] = ()
) -> None:
    """Inserts `row`, then the rows that refer to it, in a savepoint: a unique violation
    undoes only this insert, becomes Conflict, and leaves the unit of work usable."""
    try:
        async with session.begin_nested():
            session.add(row)
            # Without relationship()s the flush would not know to insert `row` first.
            await session.flush()
            session.add_all(dependents)
    except IntegrityError as error:
        if is_unique_violation(error):
            raise Conflict(f"{what} already exists") from error
        raise


async def insert_rows(
    session: AsyncSession, table: type[Base], values: list[dict[str, Any]]
) -> None:
    """Inserts new rows of `table` (the column values of each) in one executemany: the bulk
    path for thousands of rows whose keys are fresh, where a savepoint per row would cost a
    round trip each."""
    if values:
        await session.execute(insert(table), values)


async def update_row(
    session: AsyncSession, what: str, table: type[Base], row_id: UUID, values: dict[str, Any]
) -> None:
    """Writes `values` to the row of `table` with id `row_id`, in a savepoint; NotFound when
    the row is gone."""
    id_column = table.id  # type: ignore[attr-defined]
    statement = update(table).where(id_column == row_id).values(**values)
    try:
        async with session.begin_nested():
            result = await session.execute(statement)
    except IntegrityError as error:
        if is_unique_violation(error):
            raise Conflict(f"{what} conflicts with an existing one") from error
        raise
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"{what} not found")


def _insert(session: AsyncSession, table: type[Base], values: dict[str, Any]) -> Any:
    """An INSERT in the dialect of the session's engine, which has ON CONFLICT."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).values(**values)


def upsert(
    session: AsyncSession,
    table: type[Base],
    values: dict[str, Any],
    keys: list[str],
    changes: dict[str, Any] | None = None,
    where: Any = None,
) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, in the dialect of the session's engine: the
    row takes `changes` (default: the values but the keys), if it meets `where`."""
    if changes is None:
        changes = {k: v for k, v in values.items() if k not in keys and k != "id"}
    statement = _insert(session, table, values)
    return statement.on_conflict_do_update(index_elements=keys, set_=changes, where=where)


def insert_if_absent(
    session: AsyncSession, table: type[Base], values: dict[str, Any], keys: list[str]
) -> Any:
    """INSERT ... ON CONFLICT (keys) DO NOTHING: its rowcount says whether a row was added."""
    return _insert(session, table, values).on_conflict_do_nothing(index_elements=keys)


def upsert_adding(
    session: AsyncSession, table: type[Base], values: dict[str, Any], keys: list[str]
) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE adding the values to the stored ones, in one
    statement: concurrent writers of one row each add theirs, none is lost."""
    statement = _insert(session, table, values)
    changes = {
        k: getattr(table, k) + getattr(statement.excluded, k) for k in values if k not in keys
    }
    return statement.on_conflict_do_update(index_elements=keys, set_=changes)
