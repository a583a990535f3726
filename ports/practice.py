"""Ports of the practice context: listen-and-repeat game sessions and their results."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from ports.cefr import CefrLevel
from ports.content import SpeechType


class GameMode(StrEnum):
    LISTEN_ONLY = "listen_only"
    LISTEN_AND_REPEAT = "listen_and_repeat"


class UserResponse(StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    SKIPPED = "skipped"


@dataclass
class GameResult:
    """`speech_id` is None once an admin has deleted the speech; the result is kept."""

    id: UUID
    speech_id: UUID | None
    sequence_number: int
    user_response: UserResponse
    pronunciation_score: float | None
    recognized_text: str | None
    response_time_ms: int
    created_at: datetime


@dataclass
class GameSession:
    id: UUID
    user_id: UUID
    mode: GameMode
    level: CefrLevel
    sentence_type: SpeechType
    selected_tags: list[UUID]
    total_sentences: int
    correct_count: int
    max_streak: int
    avg_pronunciation_score: float | None
    duration_seconds: int
    started_at: datetime
    completed_at: datetime
    results: list[GameResult] = field(default_factory=list)


@dataclass(frozen=True)
class GameSessionFilter:
    mode: GameMode | None = None
    level: CefrLevel | None = None
    completed_from: datetime | None = None
    completed_to: datetime | None = None


class GameSessionRepository(Protocol):
    async def add(self, session: GameSession) -> None:
        """Stores the session with all its results."""

    async def get(self, session_id: UUID) -> GameSession | None:
        """The session with its results ordered by sequence number."""

    async def list_for_user(
        self, user_id: UUID, filter: GameSessionFilter, offset: int, limit: int
    ) -> tuple[list[GameSession], int]:
        """One page (without results), newest `completed_at` first, and the total count."""
