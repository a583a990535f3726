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


def _game_session(row: GameSessionRow, results: list[GameResult]) -> GameSession:
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
        conditions: list[Any] = [GameSessionRow.user_id == user_id]
        if filter.mode is not None:
            conditions.append(GameSessionRow.mode == GameMode(filter.mode).value)
        if filter.level is not None:
            conditions.append(GameSessionRow.level == CefrLevel(filter.level).value)
        # Both bounds are inclusive.
        if filter.completed_from is not None:
            conditions.append(GameSessionRow.completed_at >= filter.completed_from)
        if filter.completed_to is not None:
            conditions.append(GameSessionRow.completed_at <= filter.completed_to)
        total = await self._session.scalar(
            select(func.count()).select_from(GameSessionRow).where(*conditions)
        )
        rows = await self._session.scalars(
            select(GameSessionRow)
            .where(*conditions)
            # id breaks ties so that pages never overlap.
            .order_by(GameSessionRow.completed_at.desc(), GameSessionRow.id.desc())
            .offset(max(offset, 0))
            .limit(max(limit, 0))
        )
        return [_game_session(row, []) for row in rows], total or 0
