"""Repositories of the tutoring context over one AsyncSession."""

from dataclasses import asdict
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
    # What a turn or the end of a session changes; the insert alone writes the rest.
    return {
        "stage": Stage(session.stage).value,
        "status": SessionStatus(session.status).value,
        "message_count": session.message_count,
        "ended_at": session.ended_at,
    }


def _session(row: TutorSessionRow) -> TutorSession:
    return TutorSession(
        id=row.id,
        user_id=row.user_id,
        level=CefrLevel(row.level),
        topic=row.topic,
        stage=Stage(row.stage),
        status=SessionStatus(row.status),
        message_count=row.message_count,
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


def _message(row: TutorMessageRow) -> TutorMessage:
    return TutorMessage(
        id=row.id,
        session_id=row.session_id,
        sequence=row.sequence,
        speaker=Speaker(row.speaker),
        text=row.text,
        input_mode=InputMode(row.input_mode),
        corrections=[Correction(**c) for c in row.corrections],
        created_at=row.created_at,
    )


class SqlTutorSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: TutorSession) -> None:
        row = TutorSessionRow(
            id=session.id,
            user_id=session.user_id,
            level=CefrLevel(session.level).value,
            topic=session.topic,
            started_at=session.started_at,
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
        row = TutorMessageRow(
            id=message.id,
            session_id=message.session_id,
            sequence=message.sequence,
            speaker=Speaker(message.speaker).value,
            text=message.text,
            input_mode=InputMode(message.input_mode).value,
            corrections=[asdict(c) for c in message.corrections],
            created_at=message.created_at,
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
