"""Use cases of 002's conversation sessions: a learner talks with the tutor, by text or by
voice, and every turn is kept."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.learning.collecting import collect_items
from domain.learning.history import dialect_of
from domain.learning.profiles import owned_profile
from domain.learning.rules import TUTOR_LANGUAGE
from domain.paging import Page, page_offset
from domain.tutor import events
from ports.cefr import CefrLevel
from ports.grammar import Dialect
from ports.reviews import ItemOrigin
from ports.tutoring import (
    Correction,
    InputMode,
    SessionStatus,
    Speaker,
    Stage,
    TurnContext,
    TutorMessage,
    TutorReplies,
    TutorReply,
    TutorSession,
)
from ports.unit_of_work import TutoringUnitOfWork

MAX_TOPIC_CHARS = 200
MAX_TURN_CHARS = 1000
DEFAULT_TOPIC = "everyday life"
# A learner who says nothing of their level starts where most adult beginners are.
DEFAULT_LEVEL = CefrLevel.A2
HISTORY_MESSAGES = 40
"""The session's last messages the tutor gets with a turn: twenty turns, so that it does not
say again what it said in them (its model reads only the last few)."""


@dataclass(frozen=True)
class Turn:
    learner: TutorMessage
    tutor: TutorMessage
    reply: TutorReply
    session: TutorSession


def greeting(topic: str) -> str:
    return f"Hello! I'm your English tutor. Today let's talk about {topic}. How are you today?"


def _message(
    session: TutorSession,
    speaker: Speaker,
    text: str,
    mode: InputMode = InputMode.TEXT,
    corrections: list[Correction] | None = None,
) -> TutorMessage:
    session.message_count += 1
    return TutorMessage(
        id=uuid4(),
        session_id=session.id,
        sequence=session.message_count,
        speaker=speaker,
        text=text,
        input_mode=mode,
        corrections=corrections or [],
        created_at=datetime.now(UTC),
    )


async def _owned(uow: TutoringUnitOfWork, user_id: UUID, session_id: UUID) -> TutorSession:
    session = await uow.tutor_sessions.get(session_id)
    if session is None:
        raise NotFound("Conversation session not found")
    if session.user_id != user_id:
        raise Forbidden("This conversation session belongs to another user")
    return session


async def start_session(
    user_id: UUID,
    level: CefrLevel | None,
    topic: str | None,
    uow: TutoringUnitOfWork,
    *,
    profile_id: UUID | None = None,
) -> tuple[TutorSession, TutorMessage]:
    """A new session at the learner's level, opened by the tutor's greeting. A session that
    names a learning profile practises it: the profile must be the learner's and English,
    and its level is the session's unless `level` is given (else DEFAULT_LEVEL)."""
    topic = " ".join((topic or DEFAULT_TOPIC).split())
    if not 1 <= len(topic) <= MAX_TOPIC_CHARS:
        raise InvalidInput(f"topic must be 1 to {MAX_TOPIC_CHARS} characters", {"field": "topic"})
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        if profile_id is not None:
            profile = await owned_profile(uow, user_id, profile_id)
            if profile.language != TUTOR_LANGUAGE:
                raise InvalidInput(
                    f"The tutor speaks English only; this profile is for {profile.language}",
                    {"field": "profile_id"},
                )
            level = level or profile.level
        session = TutorSession(
            id=uuid4(),
            user_id=user_id,
            level=level or DEFAULT_LEVEL,
            topic=topic,
            stage=Stage.GREETING,
            status=SessionStatus.ACTIVE,
            message_count=0,
            started_at=datetime.now(UTC),
            profile_id=profile_id,
        )
        hello = _message(session, Speaker.TUTOR, greeting(topic))
        await uow.tutor_sessions.add(session)
        await uow.tutor_messages.add(hello)
        await uow.commit()
    return session, hello


async def list_sessions(
    user_id: UUID, status: SessionStatus | None, page: int, limit: int, uow: TutoringUnitOfWork
) -> Page[TutorSession]:
    offset = page_offset(page, limit)
    async with uow:
        sessions, total = await uow.tutor_sessions.list_for_user(user_id, status, offset, limit)
    return Page(sessions, page, limit, total)


async def get_session(user_id: UUID, session_id: UUID, uow: TutoringUnitOfWork) -> TutorSession:
    async with uow:
        return await _owned(uow, user_id, session_id)


async def end_session(user_id: UUID, session_id: UUID, uow: TutoringUnitOfWork) -> TutorSession:
    async with uow:
        session = await _owned(uow, user_id, session_id)
        if session.status == SessionStatus.ENDED:
            raise Conflict("Conversation session has already ended")
        session.status = SessionStatus.ENDED
        session.ended_at = datetime.now(UTC)
        await uow.tutor_sessions.update(session, expected_message_count=session.message_count)
        await uow.commit()
    return session


async def list_messages(
    user_id: UUID, session_id: UUID, page: int, limit: int, uow: TutoringUnitOfWork
) -> Page[TutorMessage]:
    offset = page_offset(page, limit)
    async with uow:
        await _owned(uow, user_id, session_id)
        messages, total = await uow.tutor_messages.list_for_session(session_id, offset, limit)
    return Page(messages, page, limit, total)


def check_turn_text(text: str) -> str:
    text = " ".join(text.split())
    if not 1 <= len(text) <= MAX_TURN_CHARS:
        raise InvalidInput(f"text must be 1 to {MAX_TURN_CHARS} characters", {"field": "text"})
    return text


async def _open_for_turn(uow: TutoringUnitOfWork, user_id: UUID, session_id: UUID) -> TutorSession:
    session = await _owned(uow, user_id, session_id)
    if session.status == SessionStatus.ENDED:
        raise Conflict("Conversation session has ended")
    return session


async def check_turn(user_id: UUID, session_id: UUID, uow: TutoringUnitOfWork) -> None:
    """Raises NotFound, Forbidden or Conflict unless the learner may take a turn in the
    session: a spoken turn checks this before paying for recognition."""
    async with uow:
        await _open_for_turn(uow, user_id, session_id)


async def take_turn(
    user_id: UUID,
    session_id: UUID,
    text: str,
    mode: InputMode,
    tutor: TutorReplies,
    uow: TutoringUnitOfWork,
    default_dialect: Dialect,
) -> Turn:
    """The learner's turn and the tutor's reply, stored together or not at all, with a
    review item for each corrected form the learner has none of yet. The tutor
    answers outside any transaction (it takes seconds); a turn that raced another one on the
    same session is a Conflict and stores nothing. The turn is published as
    tutor_session.turn_taken through the outbox, with it. The turn is corrected in the
    learner's English (their setting, or `default_dialect`)."""
    text = check_turn_text(text)
    async with uow:
        session = await _open_for_turn(uow, user_id, session_id)
        history = await uow.tutor_messages.latest(session_id, HISTORY_MESSAGES)
        dialect = dialect_of(await uow.learning_settings.get(user_id), default_dialect)
    # The greeting opens every session, then each turn adds the learner's and the tutor's.
    learner_turns = (session.message_count - 1) // 2
    context = TurnContext(
        session.level, session.topic, session.stage, learner_turns, history, dialect
    )
    reply = await tutor.reply(context, text)
    async with uow:
        read_count = session.message_count
        learner = _message(session, Speaker.LEARNER, text, mode, reply.corrections)
        answer = _message(session, Speaker.TUTOR, reply.text)
        session.stage = reply.next_stage
        await uow.tutor_sessions.update(session, expected_message_count=read_count)
        await uow.tutor_messages.add(learner)
        await uow.tutor_messages.add(answer)
        corrected = [(c.suggestion, c.message) for c in reply.corrections if c.suggestion]
        origin = ItemOrigin.CORRECTION
        await collect_items(uow.review_items, user_id, corrected, origin, learner.created_at)
        await uow.outbox.add(events.turn_taken(session, learner))
        await uow.commit()
    return Turn(learner, answer, reply, session)
