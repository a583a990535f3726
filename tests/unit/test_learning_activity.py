"""The learning-activity consumers over the in-memory unit of work: a finished game session
and a tutor turn count on the learner's own day, their streak and achievements; the same
event twice, or events out of order, change nothing more."""

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.curriculum.activity import count_finished_game, count_tutor_turn_taken
from domain.curriculum.progress import InitializeProgress, initialize_progress
from domain.curriculum.rules import Achievements
from domain.practice.events import game_session_completed
from domain.tutor.events import turn_taken
from ports.cefr import CefrLevel
from ports.content import SpeechType
from ports.practice import GameMode, GameSession
from ports.tutoring import InputMode, SessionStatus, Speaker, Stage, TutorMessage, TutorSession
from tests.support.memory import NOW, given, learner

ANA = learner("Ana")


@pytest.fixture
async def database() -> InMemoryDatabase:
    database = InMemoryDatabase()
    await given(database, ANA)
    zone = InitializeProgress("Asia/Karachi")
    await initialize_progress(ANA.id, zone, NOW, InMemoryUnitOfWork(database))
    return database


def game(at=NOW, score: float | None = 72.5) -> GameSession:
    return GameSession(
        uuid4(), ANA.id, GameMode.LISTEN_AND_REPEAT, CefrLevel.A2, SpeechType.ANSWER, [],
        4, 3, 2, score, 95, at, at,
    )  # fmt: skip


def turn(at=NOW):
    session = TutorSession(
        uuid4(), ANA.id, CefrLevel.A2, "food", Stage.VOCABULARY, SessionStatus.ACTIVE, 3, at
    )
    said = TutorMessage(uuid4(), session.id, 2, Speaker.LEARNER, "Hi", InputMode.TEXT, [], at)
    return turn_taken(session, said)


async def played(database, session: GameSession):
    async with InMemoryUnitOfWork(database) as uow:
        await uow.game_sessions.add(session)
        await uow.commit()
    return game_session_completed(session)


def days(database):
    return {day: row for (_, day), row in database.tables.daily_activity.items()}


async def test_a_game_and_a_turn_count_on_the_learners_own_day(database):
    # 19:30 UTC is already the next day in Karachi (UTC+5).
    late = NOW.replace(hour=19, minute=30)
    event = await played(database, game(late))
    assert await count_finished_game(event, InMemoryUnitOfWork(database))
    assert await count_tutor_turn_taken(turn(late), InMemoryUnitOfWork(database))
    (day,) = days(database).values()
    assert day.day == date(2025, 12, 11)
    assert (day.game_sessions, day.tutor_turns, day.time_seconds) == (1, 1, 95)
    assert (day.attempts, day.average_score) == (0, 72.5)


async def test_the_same_event_twice_changes_nothing(database):
    event = await played(database, game())
    spoken = turn()
    assert await count_finished_game(event, InMemoryUnitOfWork(database))
    assert await count_tutor_turn_taken(spoken, InMemoryUnitOfWork(database))
    before = database.tables.copy()
    assert not await count_finished_game(event, InMemoryUnitOfWork(database))
    assert not await count_tutor_turn_taken(spoken, InMemoryUnitOfWork(database))
    assert database.tables == before


async def test_a_listen_only_game_is_not_scored_and_a_deleted_session_counts_no_time(database):
    listened = replace(game(), avg_pronunciation_score=None)
    event = game_session_completed(listened)  # never stored: as if deleted since
    assert await count_finished_game(event, InMemoryUnitOfWork(database))
    (day,) = days(database).values()
    assert (day.game_sessions, day.scored, day.time_seconds) == (1, 0, 0)


async def test_days_arriving_out_of_order_make_the_same_streak(database):
    # Three Karachi days, the newest counted first.
    for offset in (2, 0, 1):
        at = NOW + timedelta(days=offset)
        assert await count_tutor_turn_taken(turn(at), InMemoryUnitOfWork(database))
    codes = {a.code for a in database.tables.achievements.values()}
    assert codes == {Achievements.streak(3)}
    assert sorted(days(database)) == [date(2025, 12, d) for d in (10, 11, 12)]


async def test_an_event_of_a_learner_who_is_gone_is_claimed_and_counts_nothing(database):
    stranger = replace(game(), user_id=uuid4())
    assert not await count_finished_game(
        game_session_completed(stranger), InMemoryUnitOfWork(database)
    )
    assert days(database) == {} and len(database.tables.handled_events) == 1
