"""Use cases that save and read a learner's game sessions."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from domain.paging import Page, page_offset
from domain.practice import events
from domain.practice.rules import SaveGameSession, check_game_session
from ports.content import Speech
from ports.practice import GameResult, GameSession, GameSessionFilter
from ports.unit_of_work import PracticeUnitOfWork


@dataclass(frozen=True)
class GameSessionDetail:
    session: GameSession
    speeches: dict[UUID, Speech]
    tag_names: list[str]


async def save_game_session(user_id: UUID, cmd: SaveGameSession, uow: PracticeUnitOfWork) -> UUID:
    """Stores the session with all its results, or nothing."""
    now = datetime.now(UTC)
    check_game_session(cmd, now)
    speech_ids = list(dict.fromkeys(r.speech_id for r in cmd.results))
    tag_ids = list(dict.fromkeys(cmd.selected_tags))
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        found = {s.id for s in await uow.speeches.get_many(speech_ids)}
        missing = [str(i) for i in speech_ids if i not in found]
        if missing:
            raise NotFound("One or more speech_id references don't exist", {"speech_ids": missing})
        found_tags = {t.id for t in await uow.tags.get_many(tag_ids)}
        missing = [str(i) for i in tag_ids if i not in found_tags]
        if missing:
            raise NotFound("One or more selected_tags don't exist", {"tag_ids": missing})
        session = GameSession(
            id=uuid4(),
            user_id=user_id,
            mode=cmd.mode,
            level=cmd.level,
            sentence_type=cmd.sentence_type,
            selected_tags=tag_ids,
            total_sentences=cmd.total_sentences,
            correct_count=cmd.correct_count,
            max_streak=cmd.max_streak,
            avg_pronunciation_score=cmd.avg_pronunciation_score,
            duration_seconds=cmd.duration_seconds,
            started_at=cmd.started_at,
            completed_at=cmd.completed_at,
            results=[
                GameResult(
                    id=uuid4(),
                    speech_id=r.speech_id,
                    sequence_number=r.sequence_number,
                    user_response=r.user_response,
                    pronunciation_score=r.pronunciation_score,
                    recognized_text=r.recognized_text,
                    response_time_ms=r.response_time_ms,
                    created_at=now,
                )
                for r in sorted(cmd.results, key=lambda r: r.sequence_number)
            ],
        )
        await uow.game_sessions.add(session)
        await uow.outbox.add(events.game_session_completed(session))
        await uow.commit()
    return session.id


async def list_game_sessions(
    user_id: UUID, filter: GameSessionFilter, page: int, limit: int, uow: PracticeUnitOfWork
) -> Page[GameSession]:
    """The user's sessions, newest first, one page at a time."""
    offset = page_offset(page, limit)
    if (
        filter.completed_from
        and filter.completed_to
        and filter.completed_from > filter.completed_to
    ):
        raise InvalidInput("from_date must not be after to_date", {"field": "from_date"})
    async with uow:
        sessions, total = await uow.game_sessions.list_for_user(user_id, filter, offset, limit)
    return Page(sessions, page, limit, total)


async def get_game_session(
    user_id: UUID, session_id: UUID, uow: PracticeUnitOfWork
) -> GameSessionDetail:
    """One of the user's sessions with the speeches it played and its tags' names."""
    async with uow:
        session = await uow.game_sessions.get(session_id)
        if session is None:
            raise NotFound("Game session not found")
        if session.user_id != user_id:
            raise Forbidden("This game session belongs to another user")
        speech_ids = [r.speech_id for r in session.results if r.speech_id is not None]
        speeches = {s.id: s for s in await uow.speeches.get_many(speech_ids)}
        tags = {t.id: t.name for t in await uow.tags.get_many(session.selected_tags)}
    return GameSessionDetail(
        session, speeches, [tags[t] for t in session.selected_tags if t in tags]
    )
