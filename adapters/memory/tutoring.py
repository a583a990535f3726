"""Repositories of the tutoring context over the in-memory tables."""

from uuid import UUID

from adapters.memory.tables import Tables, insert, loaded, page, stored
from domain.errors import Conflict
from ports.tutoring import SessionStatus, TutorMessage, TutorSession


class InMemoryTutorSessionRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, session: TutorSession) -> None:
        insert(self._tables.tutor_sessions, session.id, session, "conversation session")

    async def get(self, session_id: UUID) -> TutorSession | None:
        return loaded(self._tables.tutor_sessions.get(session_id))

    async def update(self, session: TutorSession, expected_message_count: int) -> None:
        current = self._tables.tutor_sessions.get(session.id)
        if current is None or current.message_count != expected_message_count:
            raise Conflict("The conversation session changed meanwhile; try again")
        current.stage = session.stage
        current.status = session.status
        current.message_count = session.message_count
        current.ended_at = stored(session.ended_at)

    async def list_for_user(
        self, user_id: UUID, status: SessionStatus | None, offset: int, limit: int
    ) -> tuple[list[TutorSession], int]:
        matching = [
            session
            for session in self._tables.tutor_sessions.values()
            if session.user_id == user_id and status in (None, session.status)
        ]
        matching.sort(key=lambda session: (session.started_at, session.id), reverse=True)
        return loaded(page(matching, offset, limit)), len(matching)


def _step(message: TutorMessage) -> tuple[UUID, int]:
    return message.session_id, message.sequence


class InMemoryTutorMessageRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, message: TutorMessage) -> None:
        insert(self._tables.tutor_messages, message.id, message, "conversation message", _step)

    async def list_for_session(
        self, session_id: UUID, offset: int, limit: int
    ) -> tuple[list[TutorMessage], int]:
        messages = self._in_order(session_id)
        return loaded(page(messages, offset, limit)), len(messages)

    async def latest(self, session_id: UUID, count: int) -> list[TutorMessage]:
        messages = self._in_order(session_id)
        return loaded(messages[len(messages) - max(count, 0) :])

    def _in_order(self, session_id: UUID) -> list[TutorMessage]:
        messages = self._tables.tutor_messages.values()
        return sorted((m for m in messages if m.session_id == session_id), key=_step)
