"""Repositories of the practice context over the in-memory tables."""

from dataclasses import replace
from uuid import UUID

from adapters.memory.tables import Tables, insert, loaded, page
from domain.errors import Conflict
from ports.practice import GameSession, GameSessionFilter


class InMemoryGameSessionRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, session: GameSession) -> None:
        numbers = [result.sequence_number for result in session.results]
        if len(set(numbers)) != len(numbers):  # One result per step, as SQL's unique index.
            raise Conflict("game session already exists")
        ordered = sorted(session.results, key=lambda result: result.sequence_number)
        insert(
            self._tables.game_sessions,
            session.id,
            replace(session, results=ordered),
            "game session",
        )

    async def get(self, session_id: UUID) -> GameSession | None:
        return loaded(self._tables.game_sessions.get(session_id))

    async def list_for_user(
        self, user_id: UUID, filter: GameSessionFilter, offset: int, limit: int
    ) -> tuple[list[GameSession], int]:
        matching = [
            session
            for session in self._tables.game_sessions.values()
            if session.user_id == user_id
            and filter.mode in (None, session.mode)
            and filter.level in (None, session.level)
            # Both bounds are inclusive.
            and (filter.completed_from is None or session.completed_at >= filter.completed_from)
            and (filter.completed_to is None or session.completed_at <= filter.completed_to)
        ]
        # id breaks ties so that pages never overlap.
        matching.sort(key=lambda session: (session.completed_at, session.id), reverse=True)
        sessions = [replace(session, results=[]) for session in page(matching, offset, limit)]
        return loaded(sessions), len(matching)
