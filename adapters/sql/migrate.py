"""Brings a database to the newest schema with Alembic; the application never calls create_all."""

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, *, connect_args: dict[str, Any] | None = None) -> Config:
    """A Config for the package's migrations and `url`, without the ini file, whose logging
    setup is meant for the CLI only."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # `%` is Alembic's interpolation character; URLs may hold percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connect_args:
        config.attributes["connect_args"] = connect_args
    return config


async def upgrade_to_head(url: str, *, connect_args: dict[str, Any] | None = None) -> None:
    """Applies every pending migration to the database at `url`.

    `connect_args` reach the driver as with database.create_engine (e.g. asyncpg's
    `server_settings`). Alembic runs in a worker thread, because the async env.py starts
    its own event loop, which it cannot do inside the caller's."""
    await asyncio.to_thread(command.upgrade, alembic_config(url, connect_args=connect_args), "head")


async def downgrade_to(url: str, revision: str) -> None:
    """Reverts migrations down to `revision` (a revision id, or "base" for an empty schema).
    Raises alembic's CommandError for a revision it does not know."""
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)
