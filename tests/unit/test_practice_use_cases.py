"""Practice's use cases over the in-memory unit of work: who may save and read a game
session, and what a refused save leaves behind (nothing)."""

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.errors import Forbidden, NotFound, Unauthenticated
from domain.practice.rules import ResultEntry, SaveGameSession
from domain.practice.sessions import get_game_session, list_game_sessions, save_game_session
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechType, Tag
from ports.practice import GameMode, GameSessionFilter, UserResponse
from tests.support.memory import NOW, given, learner

FOOD = Tag(uuid4(), "food", "topic", NOW)
TRAVEL = Tag(uuid4(), "travel", "topic", NOW)


def speech(text: str) -> Speech:
    return Speech(
        uuid4(), text, CefrLevel.A1, SpeechType.ANSWER, "speeches/a.mp3", NOW, NOW, [FOOD]
    )


APPLES, TRAINS = speech("I like apples."), speech("Trains are fast.")


def game(*speeches: Speech, completed_after: timedelta = timedelta(0)) -> SaveGameSession:
    completed = NOW + completed_after
    return SaveGameSession(
        mode=GameMode.LISTEN_ONLY,
        level=CefrLevel.A1,
        sentence_type=SpeechType.ANSWER,
        selected_tags=[TRAVEL.id, FOOD.id],
        total_sentences=len(speeches),
        correct_count=len(speeches),
        max_streak=len(speeches),
        avg_pronunciation_score=None,
        duration_seconds=60,
        started_at=completed - timedelta(minutes=1),
        completed_at=completed,
        results=[
            ResultEntry(s.id, n, UserResponse.CORRECT, None, None, 900)
            for n, s in enumerate(speeches, start=1)
        ],
    )


@pytest.fixture
async def database() -> InMemoryDatabase:
    database = InMemoryDatabase()
    await given(database, FOOD, TRAVEL, APPLES, TRAINS)
    return database


async def test_a_saved_session_is_read_back_with_its_speeches_and_published(database):
    ana = learner()
    await given(database, ana)
    uow = InMemoryUnitOfWork(database)

    session_id = await save_game_session(ana.id, game(TRAINS, APPLES), uow)

    detail = await get_game_session(ana.id, session_id, uow)
    assert [r.speech_id for r in detail.session.results] == [TRAINS.id, APPLES.id]
    assert set(detail.speeches) == {TRAINS.id, APPLES.id}
    assert detail.tag_names == ["travel", "food"]
    (event,) = database.outbox
    assert event.type == "game_session.completed"
    assert event.payload["session_id"] == str(session_id)


async def test_unknown_speeches_or_tags_are_not_found_and_nothing_is_written(database):
    ana = learner()
    await given(database, ana)
    missing = speech("Never stored.")
    uow = InMemoryUnitOfWork(database)

    with pytest.raises(NotFound) as unknown_speech:
        await save_game_session(ana.id, game(APPLES, missing), uow)
    with pytest.raises(NotFound):
        await save_game_session(ana.id, replace(game(APPLES), selected_tags=[uuid4()]), uow)

    assert unknown_speech.value.details == {"speech_ids": [str(missing.id)]}
    page = await list_game_sessions(ana.id, GameSessionFilter(), 1, 20, uow)
    assert page.total == 0 and database.outbox == []


async def test_a_deleted_account_saves_nothing(database):
    uow = InMemoryUnitOfWork(database)
    with pytest.raises(Unauthenticated):
        await save_game_session(uuid4(), game(APPLES), uow)
    assert database.outbox == []


async def test_a_session_is_read_by_its_owner_only(database):
    owner, stranger = learner("Ana"), learner("Ben")
    await given(database, owner, stranger)
    uow = InMemoryUnitOfWork(database)
    session_id = await save_game_session(owner.id, game(APPLES), uow)

    with pytest.raises(Forbidden):
        await get_game_session(stranger.id, session_id, uow)
    with pytest.raises(NotFound):
        await get_game_session(owner.id, uuid4(), uow)
    assert (await list_game_sessions(stranger.id, GameSessionFilter(), 1, 20, uow)).total == 0


async def test_sessions_are_listed_newest_first_one_page_at_a_time(database):
    ana = learner()
    await given(database, ana)
    uow = InMemoryUnitOfWork(database)
    saved = [
        await save_game_session(ana.id, game(APPLES, completed_after=timedelta(days=n)), uow)
        for n in range(5)
    ]

    page = await list_game_sessions(ana.id, GameSessionFilter(), 2, 2, uow)

    assert [s.id for s in page.items] == saved[::-1][2:4]
    assert page.total == 5
    assert all(s.results == [] for s in page.items)
