"""Ports of the tutoring context: 002's conversation sessions with the AI tutor, their turns,
and the tutor that answers a turn (its own deployment under Ray Serve)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from ports.cefr import CefrLevel
from ports.grammar import Correction, Dialect


class SessionStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Speaker(StrEnum):
    LEARNER = "learner"
    TUTOR = "tutor"


class InputMode(StrEnum):
    TEXT = "text"
    AUDIO = "audio"


class Stage(StrEnum):
    """000's English-only tutor stages; each one tells the tutor what to work on next."""

    GREETING = "greeting"
    VOCABULARY = "vocabulary"
    SENTENCE_PRACTICE = "sentence_practice"
    TOPIC_DISCUSSION = "topic_discussion"
    GRAMMAR_FOCUS = "grammar_focus"


@dataclass
class TutorMessage:
    id: UUID
    session_id: UUID
    sequence: int
    speaker: Speaker
    text: str
    input_mode: InputMode
    corrections: list[Correction]
    created_at: datetime


@dataclass
class TutorSession:
    id: UUID
    user_id: UUID
    level: CefrLevel
    topic: str
    stage: Stage
    status: SessionStatus
    message_count: int
    started_at: datetime
    ended_at: datetime | None = None
    profile_id: UUID | None = None
    """The learning profile the session practises; None when it named none, or once that
    profile is deleted."""


class TutorSessionRepository(Protocol):
    async def add(self, session: TutorSession) -> None: ...

    async def get(self, session_id: UUID) -> TutorSession | None: ...

    async def update(self, session: TutorSession, expected_message_count: int) -> None:
        """Stores stage, status, message_count and ended_at. Raises domain.errors.Conflict
        when the stored message_count is not `expected_message_count`: another turn changed
        the session since it was read."""

    async def list_for_user(
        self, user_id: UUID, status: SessionStatus | None, offset: int, limit: int
    ) -> tuple[list[TutorSession], int]:
        """One page, newest first, and the total count."""


class TutorMessageRepository(Protocol):
    async def add(self, message: TutorMessage) -> None: ...

    async def list_for_session(
        self, session_id: UUID, offset: int, limit: int
    ) -> tuple[list[TutorMessage], int]:
        """One page in conversation order, and the total count."""

    async def latest(self, session_id: UUID, count: int) -> list[TutorMessage]:
        """The last `count` messages, in conversation order."""


@dataclass(frozen=True)
class TurnContext:
    """What the tutor knows when it answers: who it talks to and what was said before."""

    level: CefrLevel
    topic: str
    stage: Stage
    learner_turns: int = 0
    """Turns the learner has taken before this one."""
    history: list[TutorMessage] = field(default_factory=list)
    dialect: Dialect = Dialect.BRITISH
    """The English the learner is taught: the grammar checker follows it."""


@dataclass(frozen=True)
class TutorReply:
    text: str
    """What the tutor says: a spoken correction of the learner's turn, if any, then the reply."""
    corrections: list[Correction]
    corrected_text: str | None
    """The learner's turn with every correction applied; None when there was nothing to fix."""
    next_stage: Stage
    provider: str


class TutorReplies(Protocol):
    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        """Raises domain.errors.ServiceUnavailable when the language model or the grammar
        checker fails."""
