"""Repositories of the practice context over one AsyncSession."""

from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import from_row, to_row
from adapters.sql.statements import insert_row
from adapters.sql.tables import GameResultRow, GameSessionRow
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.practice import GameMode, GameResult, GameSession, GameSessionFilter, UserResponse

_MATCHING = "matching_sessions"


def _game_session(row: Any, results: list[GameResult]) -> GameSession:
    """A game session from a row of its table (mapped or Core)."""
    return from_row(
        GameSession,
        row,
        mode=GameMode(row.mode),
        level=CefrLevel(row.level),
        sentence_type=SpeechType(row.sentence_type),
        selected_tags=[UUID(tag_id) for tag_id in row.selected_tags],
        results=results,
    )


def _game_result(row: GameResultRow) -> GameResult:
    # speech_id is None once an admin has deleted the speech (ON DELETE SET NULL keeps the
    # history).
    return from_row(GameResult, row, user_response=UserResponse(row.user_response))


class SqlGameSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: GameSession) -> None:
        row = to_row(
            GameSessionRow,
            session,
            mode=GameMode(session.mode).value,
            level=CefrLevel(session.level).value,
            sentence_type=SpeechType(session.sentence_type).value,
            selected_tags=[str(tag_id) for tag_id in session.selected_tags],
        )
        results = [
            to_row(
                GameResultRow,
                result,
                session_id=session.id,
                user_response=UserResponse(result.user_response).value,
            )
            for result in session.results
        ]
        await insert_row(self._session, "game session", row, results)

    async def get(self, session_id: UUID) -> GameSession | None:
        row = await self._session.scalar(
            select(GameSessionRow).where(GameSessionRow.id == session_id)
        )
        if row is None:
            return None
        results = await self._session.scalars(
            select(GameResultRow)
            .where(GameResultRow.session_id == session_id)
            .order_by(GameResultRow.sequence_number)
        )
        return _game_session(row, [_game_result(result) for result in results])

    async def list_for_user(
        self, user_id: UUID, filter: GameSessionFilter, offset: int, limit: int
    ) -> tuple[list[GameSession], int]:
        # Columns rather than mapped rows (Core): a list builds no ORM objects.
        sessions = GameSessionRow.__table__.c
        conditions: list[Any] = [sessions.user_id == user_id]
        if filter.mode is not None:
            conditions.append(sessions.mode == GameMode(filter.mode).value)
        if filter.level is not None:
            conditions.append(sessions.level == CefrLevel(filter.level).value)
        # Both bounds are inclusive.
        if filter.completed_from is not None:
            conditions.append(sessions.completed_at >= filter.completed_from)
        if filter.completed_to is not None:
            conditions.append(sessions.completed_at <= filter.completed_to)
        offset, limit = max(offset, 0), max(limit, 0)
        # The count of all matching rows rides along with the page (window functions run
        # before LIMIT): one statement, one round trip, instead of a page and a count.
        rows = list(
            await self._session.execute(
                select(GameSessionRow.__table__, func.count().over().label(_MATCHING))
                .where(*conditions)
                # id breaks ties so that pages never overlap.
                .order_by(sessions.completed_at.desc(), sessions.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
        if rows or offset == 0:
            total = getattr(rows[0], _MATCHING) if rows else 0
        else:  # past the last page: the rows carry no count
            total = (
                await self._session.scalar(
                    select(func.count()).select_from(GameSessionRow.__table__).where(*conditions)
                )
                or 0
            )
        return [_game_session(row, []) for row in rows], total
