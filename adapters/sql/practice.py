"""Repositories of the practice context over one AsyncSession."""

from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.statements import insert_row
from adapters.sql.tables import GameResultRow, GameSessionRow
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.practice import GameMode, GameResult, GameSession, GameSessionFilter, UserResponse


def _game_session(row: GameSessionRow, results: list[GameResult]) -> GameSession:
    return GameSession(
        id=row.id,
        user_id=row.user_id,
        mode=GameMode(row.mode),
        level=CefrLevel(row.level),
        sentence_type=SpeechType(row.sentence_type),
        selected_tags=[UUID(tag_id) for tag_id in row.selected_tags],
        total_sentences=row.total_sentences,
        correct_count=row.correct_count,
        max_streak=row.max_streak,
        avg_pronunciation_score=row.avg_pronunciation_score,
        duration_seconds=row.duration_seconds,
        started_at=row.started_at,
        completed_at=row.completed_at,
        results=results,
    )


def _game_result(row: GameResultRow) -> GameResult:
    return GameResult(
        id=row.id,
        # None once an admin has deleted the speech (ON DELETE SET NULL keeps the history).
        speech_id=row.speech_id,  # type: ignore[arg-type]
        sequence_number=row.sequence_number,
        user_response=UserResponse(row.user_response),
        pronunciation_score=row.pronunciation_score,
        recognized_text=row.recognized_text,
        response_time_ms=row.response_time_ms,
        created_at=row.created_at,
    )


class SqlGameSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: GameSession) -> None:
        row = GameSessionRow(
            id=session.id,
            user_id=session.user_id,
            mode=GameMode(session.mode).value,
            level=CefrLevel(session.level).value,
            sentence_type=SpeechType(session.sentence_type).value,
            selected_tags=[str(tag_id) for tag_id in session.selected_tags],
            total_sentences=session.total_sentences,
            correct_count=session.correct_count,
            max_streak=session.max_streak,
            avg_pronunciation_score=session.avg_pronunciation_score,
            duration_seconds=session.duration_seconds,
            started_at=session.started_at,
            completed_at=session.completed_at,
        )
        results = [
            GameResultRow(
                id=result.id,
                session_id=session.id,
                speech_id=result.speech_id,
                sequence_number=result.sequence_number,
                user_response=UserResponse(result.user_response).value,
                pronunciation_score=result.pronunciation_score,
                recognized_text=result.recognized_text,
                response_time_ms=result.response_time_ms,
                created_at=result.created_at,
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
