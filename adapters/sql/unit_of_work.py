"""The SQL unit of work: one AsyncSession, hence one transaction, shared by five repositories."""

from types import TracebackType
from typing import Self

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.sql.repositories import (
    SqlGameSessionRepository,
    SqlLoginSessionRepository,
    SqlSpeechRepository,
    SqlTagRepository,
    SqlUserRepository,
)
from domain.errors import ServiceUnavailable


class SqlUnitOfWork:
    """Implements ports.unit_of_work.UnitOfWork. Reusable for sequential `async with`
    blocks, each with a fresh session; not for nested or concurrent ones."""

    users: SqlUserRepository
    login_sessions: SqlLoginSessionRepository
    tags: SqlTagRepository
    speeches: SqlSpeechRepository
    game_sessions: SqlGameSessionRepository

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use")
        session = self._session = self._session_factory()
        self.users = SqlUserRepository(session)
        self.login_sessions = SqlLoginSessionRepository(session)
        self.tags = SqlTagRepository(session)
        self.speeches = SqlSpeechRepository(session)
        self.game_sessions = SqlGameSessionRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            # close() rolls back whatever was not committed and returns the connection.
            await session.close()
        if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError):
            # Unreachable (asyncpg raises ConnectionError unwrapped), locked or out of
            # connections: the database is unavailable (503), which a client may retry;
            # nothing was written.
            raise ServiceUnavailable("The database is unavailable; try again") from exc

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit() outside `async with`")
        await self._session.commit()
