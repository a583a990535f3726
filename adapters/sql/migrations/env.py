"""Alembic environment: migrates the database of `sqlalchemy.url` (set by
adapters.sql.migrate) or else of DATABASE_URL, over the adapter's async engine."""

import asyncio
import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from adapters.sql.database import create_engine, normalize_url
from adapters.sql.tables import Base, UtcDateTime

DEFAULT_URL = "sqlite+aiosqlite:///var/parla.db"

config = context.config
# Only the CLI passes an ini file; programmatic runs leave the application's logging alone.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL") or DEFAULT_URL


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Revisions stay independent of the models: a UtcDateTime is stored as this.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(dialect_name: str, **options: Any) -> None:
    sqlite = dialect_name == "sqlite"
    context.configure(
        target_metadata=Base.metadata,
        render_item=_render_item,
        # SQLite alters tables by copying them; our engine makes its DDL transactional.
        render_as_batch=sqlite,
        transactional_ddl=True,
        **options,
    )


def run_migrations_offline() -> None:
    url = normalize_url(_url())
    _configure(
        url.get_backend_name(),
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_migrations(connection: Connection) -> None:
    _configure(connection.dialect.name, connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(
        _url(),
        pool_size=1,
        max_overflow=0,
        connect_args=config.attributes.get("connect_args"),
        # Batch mode drops the copied tables; with foreign keys on, the drop would cascade.
        sqlite_foreign_keys=False,
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
