"""Repositories of the tutoring context over one AsyncSession."""

from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row
from adapters.sql.tables import TutorMessageRow, TutorSessionRow
from domain.errors import Conflict
from ports.cefr import CefrLevel
from ports.tutoring import (
    Correction,
    InputMode,
    SessionStatus,
    Speaker,
    Stage,
    TutorMessage,
    TutorSession,
)


def _session_values(session: TutorSession) -> dict[str, Any]:
    # What a turn or the end of a session changes, and all that an update writes.
    return column_values(
        session,
        "message_count",
        "ended_at",
        stage=Stage(session.stage).value,
        status=SessionStatus(session.status).value,
    )


def _session(row: TutorSessionRow) -> TutorSession:
    return from_row(
        TutorSession,
        row,
        level=CefrLevel(row.level),
        stage=Stage(row.stage),
        status=SessionStatus(row.status),
    )


def _message(row: TutorMessageRow) -> TutorMessage:
    return from_row(
        TutorMessage,
        row,
        speaker=Speaker(row.speaker),
        input_mode=InputMode(row.input_mode),
        corrections=[Correction(**c) for c in row.corrections],
    )


class SqlTutorSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: TutorSession) -> None:
        row = to_row(
            TutorSessionRow,
            session,
            level=CefrLevel(session.level).value,
            **_session_values(session),
        )
        await insert_row(self._session, "conversation session", row)

    async def get(self, session_id: UUID) -> TutorSession | None:
        row = await self._session.get(TutorSessionRow, session_id, populate_existing=True)
        return _session(row) if row else None

    async def update(self, session: TutorSession, expected_message_count: int) -> None:
        result = await self._session.execute(
            update(TutorSessionRow)
            .where(
                TutorSessionRow.id == session.id,
                TutorSessionRow.message_count == expected_message_count,
            )
            .values(**_session_values(session))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise Conflict("The conversation session changed meanwhile; try again")

    async def list_for_user(
        self, user_id: UUID, status: SessionStatus | None, offset: int, limit: int
    ) -> tuple[list[TutorSession], int]:
        conditions: list[Any] = [TutorSessionRow.user_id == user_id]
        if status is not None:
            conditions.append(TutorSessionRow.status == SessionStatus(status).value)
        total = await self._session.scalar(
            select(func.count()).select_from(TutorSessionRow).where(*conditions)
        )
        rows = await self._session.scalars(
            select(TutorSessionRow)
            .where(*conditions)
            .order_by(TutorSessionRow.started_at.desc(), TutorSessionRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_session(r) for r in rows], total or 0


class SqlTutorMessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: TutorMessage) -> None:
        row = to_row(
            TutorMessageRow,
            message,
            speaker=Speaker(message.speaker).value,
            input_mode=InputMode(message.input_mode).value,
            corrections=[asdict(c) for c in message.corrections],
        )
        await insert_row(self._session, "conversation message", row)

    async def list_for_session(
        self, session_id: UUID, offset: int, limit: int
    ) -> tuple[list[TutorMessage], int]:
        where = TutorMessageRow.session_id == session_id
        total = await self._session.scalar(
            select(func.count()).select_from(TutorMessageRow).where(where)
        )
        rows = await self._session.scalars(
            select(TutorMessageRow)
            .where(where)
            .order_by(TutorMessageRow.sequence)
            .offset(offset)
            .limit(limit)
        )
        return [_message(r) for r in rows], total or 0

    async def latest(self, session_id: UUID, count: int) -> list[TutorMessage]:
        rows = await self._session.scalars(
            select(TutorMessageRow)
            .where(TutorMessageRow.session_id == session_id)
            .order_by(TutorMessageRow.sequence.desc())
            .limit(count)
        )
        return [_message(r) for r in reversed(list(rows))]
