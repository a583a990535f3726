"""The persistence contract of the ports, checked on every SQL database we support and on the
in-memory unit of work."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.database import create_engine, read_engine, session_factory
from adapters.sql.tables import Base, GameResultRow
from adapters.sql.unit_of_work import SqlUnitOfWork
from domain.errors import Conflict, NotFound, ServiceUnavailable
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechType, Tag
from ports.identity import AuthProvider, LoginSession, Role, User
from ports.practice import GameMode, GameResult, GameSession, GameSessionFilter, UserResponse
from tests.contract.conftest import POSTGRES_URL, UowFactory
from tests.support.services import unavailable

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


def make_user(email: str = "ana@example.com", **changes: Any) -> User:
    user = User(
        id=uuid4(),
        email=email,
        name="Ana",
        avatar_url=None,
        auth_provider=AuthProvider.EMAIL,
        auth_provider_id=None,
        password_hash="$argon2id$v=19$hash",
        role=Role.STUDENT,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(user, **changes)


def make_tag(name: str, category: str | None = "topic") -> Tag:
    return Tag(id=uuid4(), name=name, category=category, created_at=NOW)


def make_speech(
    tags: list[Tag],
    level: CefrLevel = CefrLevel.A1,
    type: SpeechType = SpeechType.ANSWER,
    text: str = "I like apples.",
) -> Speech:
    speech_id = uuid4()
    return Speech(
        id=speech_id,
        text=text,
        level=level,
        type=type,
        audio_key=f"speeches/{speech_id}.mp3",
        created_at=NOW,
        updated_at=NOW,
        tags=tags,
    )


def make_game_session(
    user_id: UUID,
    speeches: list[Speech],
    *,
    mode: GameMode = GameMode.LISTEN_AND_REPEAT,
    level: CefrLevel = CefrLevel.A1,
    completed_at: datetime = NOW,
) -> GameSession:
    results = [
        GameResult(
            id=uuid4(),
            speech_id=speech.id,
            sequence_number=number,
            user_response=UserResponse.CORRECT if number % 2 else UserResponse.SKIPPED,
            pronunciation_score=0.5 + number / 10 if number % 2 else None,
            recognized_text="i like apples" if number % 2 else None,
            response_time_ms=1000 + number,
            created_at=completed_at,
        )
        for number, speech in enumerate(speeches, start=1)
    ]
    return GameSession(
        id=uuid4(),
        user_id=user_id,
        mode=mode,
        level=level,
        sentence_type=SpeechType.ANSWER,
        selected_tags=[tag.id for speech in speeches[:1] for tag in speech.tags],
        total_sentences=len(results),
        correct_count=sum(r.user_response is UserResponse.CORRECT for r in results),
        max_streak=1,
        avg_pronunciation_score=0.75 if results else None,
        duration_seconds=60,
        started_at=completed_at - timedelta(minutes=1),
        completed_at=completed_at,
        results=results,
    )


async def add_all(uow_factory: UowFactory, *items: User | Tag | Speech | GameSession) -> None:
    async with uow_factory() as uow:
        for item in items:
            repository: Any = {
                User: uow.users,
                Tag: uow.tags,
                Speech: uow.speeches,
                GameSession: uow.game_sessions,
            }[type(item)]
            await repository.add(item)
        await uow.commit()


async def count_rows(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(table)) or 0


@contextmanager
def selects_counted(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


# --- users ------------------------------------------------------------------------------


async def test_user_round_trip_stores_email_lower_cased(uow_factory: UowFactory) -> None:
    paris = timezone(timedelta(hours=1))
    user = make_user("Ana@Example.COM", created_at=NOW.astimezone(paris), avatar_url="a.png")
    await add_all(uow_factory, user)

    async with uow_factory() as uow:
        stored = await uow.users.get(user.id)

    assert stored == replace(user, email="ana@example.com")
    assert stored is not None and stored.created_at.tzinfo is not None


async def test_get_many_finds_the_users_that_exist(uow_factory: UowFactory) -> None:
    ana, ben = make_user("ana@example.com"), make_user("ben@example.com")
    await add_all(uow_factory, ana, ben)

    async with uow_factory() as uow:
        found = await uow.users.get_many([ben.id, uuid4(), ana.id, ben.id])
        none = await uow.users.get_many([])

    assert sorted(u.email for u in found) == ["ana@example.com", "ben@example.com"]
    assert none == []


async def test_get_by_email_is_case_insensitive(uow_factory: UowFactory) -> None:
    user = make_user("ana@example.com")
    await add_all(uow_factory, user)

    async with uow_factory() as uow:
        assert (found := await uow.users.get_by_email("ANA@Example.com")) is not None
        assert found.id == user.id
        assert await uow.users.get_by_email("bob@example.com") is None
        assert await uow.users.get(uuid4()) is None


async def test_get_by_provider(uow_factory: UowFactory) -> None:
    google = make_user("g@example.com", auth_provider=AuthProvider.GOOGLE, auth_provider_id="sub-1")
    apple = make_user("a@example.com", auth_provider=AuthProvider.APPLE, auth_provider_id="sub-1")
    await add_all(uow_factory, google, apple)

    async with uow_factory() as uow:
        assert await uow.users.get_by_provider(AuthProvider.GOOGLE, "sub-1") == google
        assert await uow.users.get_by_provider(AuthProvider.APPLE, "sub-1") == apple
        assert await uow.users.get_by_provider(AuthProvider.GOOGLE, "sub-2") is None


async def test_save_updates_the_user(uow_factory: UowFactory) -> None:
    user = make_user()
    await add_all(uow_factory, user)
    changed = replace(
        user,
        email="New@Example.com",
        name="Ana B.",
        role=Role.TEACHER,
        password_hash=None,
        updated_at=NOW + timedelta(days=1),
    )

    async with uow_factory() as uow:
        await uow.users.save(changed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.users.get(user.id) == replace(changed, email="new@example.com")


async def test_save_of_a_missing_user_is_not_found(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        with pytest.raises(NotFound):
            await uow.users.save(make_user())


async def test_duplicate_email_is_a_conflict_and_writes_nothing(
    uow_factory: UowFactory,
) -> None:
    first = make_user("ana@example.com")
    await add_all(uow_factory, first)
    duplicate = make_user("ANA@example.com", name="Other")
    other = make_user("bob@example.com")

    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.users.add(duplicate)
        # The conflict undid only its own write: the unit of work goes on.
        await uow.users.add(other)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.users.get(duplicate.id) is None
        assert await uow.users.get(first.id) == first
        assert await uow.users.get(other.id) == other


async def test_duplicate_provider_identity_is_a_conflict(uow_factory: UowFactory) -> None:
    identity = {"auth_provider": AuthProvider.GOOGLE, "auth_provider_id": "sub-1"}
    await add_all(uow_factory, make_user("a@example.com", **identity))

    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.users.add(make_user("b@example.com", **identity))
        # Email accounts have no provider id, and any number of them may exist.
        await uow.users.add(make_user("c@example.com"))
        await uow.users.add(make_user("d@example.com"))
        await uow.commit()


async def test_saving_a_taken_email_is_a_conflict(uow_factory: UowFactory) -> None:
    ana, bob = make_user("ana@example.com"), make_user("bob@example.com")
    await add_all(uow_factory, ana, bob)

    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.users.save(replace(bob, email="ANA@example.com"))


async def test_deleting_a_user_deletes_what_the_user_owns(
    uow_factory: UowFactory, backend: str, request: pytest.FixtureRequest
) -> None:
    tag = make_tag("food")
    speech = make_speech([tag])
    user, other = make_user("ana@example.com"), make_user("bob@example.com")
    game = make_game_session(user.id, [speech])
    others_game = make_game_session(other.id, [speech])
    login = LoginSession(uuid4(), user.id, "jti-1", NOW + timedelta(days=30), NOW)
    await add_all(uow_factory, tag, speech, user, other, game, others_game)
    async with uow_factory() as uow:
        await uow.login_sessions.add(login)
        await uow.commit()

    async with uow_factory() as uow:
        await uow.users.delete(user.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.users.get(user.id) is None
        assert await uow.login_sessions.get(login.id) is None
        assert await uow.game_sessions.get(game.id) is None
        assert await uow.game_sessions.get(others_game.id) == others_game
        assert await uow.speeches.count() == 1
    if backend != "memory":  # SQL keeps results in a table of their own: none are left over.
        engine = request.getfixturevalue("engine")
        assert await count_rows(engine, GameResultRow) == len(others_game.results)


# --- login sessions ---------------------------------------------------------------------


async def test_login_session_round_trip_and_revocation(uow_factory: UowFactory) -> None:
    user = make_user()
    login = LoginSession(uuid4(), user.id, "jti-1", NOW + timedelta(days=30), NOW)
    await add_all(uow_factory, user)
    async with uow_factory() as uow:
        await uow.login_sessions.add(login)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.login_sessions.get(login.id) == login
        assert await uow.login_sessions.get(uuid4()) is None
        rotated = replace(login, refresh_token_id="jti-2", expires_at=NOW + timedelta(days=31))
        await uow.login_sessions.save(rotated)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.login_sessions.get(login.id) == rotated
        revoked = replace(rotated, revoked_at=NOW + timedelta(hours=1))
        await uow.login_sessions.save(revoked)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.login_sessions.get(login.id) == revoked


# --- tags -------------------------------------------------------------------------------


async def test_tags_are_listed_by_category_then_name(uow_factory: UowFactory) -> None:
    travel = make_tag("travel", "topic")
    food = make_tag("food", "topic")
    past = make_tag("past simple", "grammar")
    misc = make_tag("misc", None)
    await add_all(uow_factory, travel, food, past, misc)

    async with uow_factory() as uow:
        assert await uow.tags.list_all() == [past, food, travel, misc]


async def test_tags_get_many_and_get_by_names(uow_factory: UowFactory) -> None:
    food, travel, work = make_tag("food"), make_tag("travel"), make_tag("work")
    await add_all(uow_factory, food, travel, work)

    async with uow_factory() as uow:
        assert await uow.tags.get_many([work.id, food.id, uuid4()]) == [food, work]
        assert await uow.tags.get_many([]) == []
        assert await uow.tags.get_by_names(["travel", "food", "nope"]) == [food, travel]
        assert await uow.tags.get_by_names([]) == []


async def test_duplicate_tag_name_is_a_conflict(uow_factory: UowFactory) -> None:
    await add_all(uow_factory, make_tag("food"))

    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.tags.add(make_tag("food", "other"))


async def test_tag_get_save_and_delete(uow_factory: UowFactory) -> None:
    food, travel = make_tag("food"), make_tag("travel")
    await add_all(uow_factory, food, travel)

    async with uow_factory() as uow:
        assert await uow.tags.get(food.id) == food
        assert await uow.tags.get(uuid4()) is None
        await uow.tags.save(replace(food, name="cooking", category=None))
        with pytest.raises(Conflict):
            await uow.tags.save(replace(travel, name="cooking"))
        with pytest.raises(NotFound):
            await uow.tags.save(make_tag("ghost"))
        await uow.tags.delete(travel.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.tags.list_all() == [replace(food, name="cooking", category=None)]


async def test_tag_speech_counts(uow_factory: UowFactory) -> None:
    food, travel, unused = make_tag("food"), make_tag("travel"), make_tag("unused")
    both = make_speech([food, travel], text="Lunch on the train.")
    await add_all(uow_factory, food, travel, unused, both, make_speech([food]))

    async with uow_factory() as uow:
        assert await uow.tags.speech_counts() == {food.id: 2, travel.id: 1}


# --- speeches ---------------------------------------------------------------------------


async def test_speeches_are_stored_with_their_tags(uow_factory: UowFactory) -> None:
    food, travel = make_tag("food"), make_tag("travel")
    tagged = make_speech([food, travel], CefrLevel.B2, SpeechType.QUESTION, "Where to?")
    untagged = make_speech([])
    await add_all(uow_factory, food, travel, tagged, untagged)

    async with uow_factory() as uow:
        found = await uow.speeches.get_many([untagged.id, tagged.id, uuid4()])
        assert sorted(found, key=lambda s: s.text) == [untagged, tagged]
        assert await uow.speeches.get_many([]) == []
        assert await uow.speeches.count() == 2


async def test_pick_random_honours_level_type_and_any_tag(uow_factory: UowFactory) -> None:
    food, travel, work = make_tag("food"), make_tag("travel"), make_tag("work")
    matching = [
        make_speech([food]),
        make_speech([travel, work]),
        make_speech([food, travel]),
    ]
    others = [
        make_speech([food], level=CefrLevel.A2),
        make_speech([food], type=SpeechType.QUESTION),
        make_speech([work]),
        make_speech([]),
    ]
    await add_all(uow_factory, food, travel, work, *matching, *others)

    async with uow_factory() as uow:
        picked = await uow.speeches.pick_random(
            CefrLevel.A1, SpeechType.ANSWER, [food.id, travel.id], 10
        )

    # Each comes with all of its tags, not only the ones asked for.
    assert sorted(picked, key=lambda s: s.id) == sorted(matching, key=lambda s: s.id)


async def test_pick_random_respects_the_limit(uow_factory: UowFactory) -> None:
    food, travel = make_tag("food"), make_tag("travel")
    await add_all(uow_factory, food, travel, *(make_speech([food, travel]) for _ in range(8)))

    async with uow_factory() as uow:
        picked = await uow.speeches.pick_random(CefrLevel.A1, SpeechType.ANSWER, [food.id], 5)
        assert await uow.speeches.pick_random(CefrLevel.A1, SpeechType.ANSWER, [food.id], 0) == []

    assert len(picked) == 5
    assert len({speech.id for speech in picked}) == 5
    assert all(speech.tags == [food, travel] for speech in picked)


async def test_pick_random_loads_tags_in_two_queries(
    uow_factory: UowFactory, engine: AsyncEngine
) -> None:
    food, travel = make_tag("food"), make_tag("travel")
    await add_all(uow_factory, food, travel, *(make_speech([food, travel]) for _ in range(8)))

    async with uow_factory() as uow:
        with selects_counted(engine) as selects:
            picked = await uow.speeches.pick_random(CefrLevel.A1, SpeechType.ANSWER, [food.id], 5)

    assert len(picked) == 5
    assert len(selects) == 2


async def test_pick_random_shuffles(uow_factory: UowFactory) -> None:
    food = make_tag("food")
    await add_all(uow_factory, food, *(make_speech([food], text=f"#{n}") for n in range(30)))

    async with uow_factory() as uow:
        first = await uow.speeches.pick_random(CefrLevel.A1, SpeechType.ANSWER, [food.id], 30)
        second = await uow.speeches.pick_random(CefrLevel.A1, SpeechType.ANSWER, [food.id], 30)

    assert len(first) == len(second) == 30
    # Equal orders would happen once in 30! runs.
    assert [s.id for s in first] != [s.id for s in second]


async def test_pick_random_without_match_is_empty(uow_factory: UowFactory) -> None:
    food, work = make_tag("food"), make_tag("work")
    await add_all(uow_factory, food, work, make_speech([food]))

    async with uow_factory() as uow:
        pick = uow.speeches.pick_random
        assert await pick(CefrLevel.A1, SpeechType.ANSWER, [work.id], 5) == []
        assert await pick(CefrLevel.C1, SpeechType.ANSWER, [food.id], 5) == []
        assert await pick(CefrLevel.A1, SpeechType.QUESTION, [food.id], 5) == []
        assert await pick(CefrLevel.A1, SpeechType.ANSWER, [], 5) == []


async def test_get_many_loads_tags_in_one_query(
    uow_factory: UowFactory, engine: AsyncEngine
) -> None:
    food, travel = make_tag("food"), make_tag("travel")
    speeches = [make_speech([food, travel]) for _ in range(6)]
    await add_all(uow_factory, food, travel, *speeches)

    async with uow_factory() as uow:
        with selects_counted(engine) as selects:
            found = await uow.speeches.get_many([s.id for s in speeches])

    assert len(found) == 6 and all(s.tags == [food, travel] for s in found)
    assert len(selects) == 2


# --- game sessions ----------------------------------------------------------------------


async def test_game_session_round_trip_orders_results(uow_factory: UowFactory) -> None:
    food = make_tag("food")
    speeches = [make_speech([food], text=f"#{n}") for n in range(4)]
    user = make_user()
    game = make_game_session(user.id, speeches)
    shuffled = replace(game, results=[game.results[i] for i in (2, 0, 3, 1)])
    await add_all(uow_factory, food, *speeches, user, shuffled)

    async with uow_factory() as uow:
        assert await uow.game_sessions.get(game.id) == game
        assert await uow.game_sessions.get(uuid4()) is None


async def test_results_outlive_a_deleted_speech(uow_factory: UowFactory) -> None:
    food, user = make_tag("food"), make_user()
    speeches = [make_speech([food]), make_speech([food])]
    game = make_game_session(user.id, speeches)
    await add_all(uow_factory, food, *speeches, user, game)

    async with uow_factory() as uow:
        await uow.speeches.delete(speeches[0].id)
        await uow.speeches.delete(uuid4())
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.game_sessions.get(game.id)
        assert await uow.speeches.get(speeches[0].id) is None
        assert await uow.tags.speech_counts() == {food.id: 1}
    assert stored is not None
    assert [r.speech_id for r in stored.results] == [None, speeches[1].id]


async def test_list_for_user_filters_pages_and_counts(uow_factory: UowFactory) -> None:
    user, other = make_user("ana@example.com"), make_user("bob@example.com")
    day = timedelta(days=1)
    games = [
        make_game_session(user.id, [], completed_at=NOW),
        make_game_session(user.id, [], completed_at=NOW + day, mode=GameMode.LISTEN_ONLY),
        make_game_session(user.id, [], completed_at=NOW + 2 * day, level=CefrLevel.B1),
        make_game_session(user.id, [], completed_at=NOW + 3 * day),
        make_game_session(
            user.id,
            [],
            completed_at=NOW + 4 * day,
            mode=GameMode.LISTEN_ONLY,
            level=CefrLevel.C2,
        ),
    ]
    await add_all(uow_factory, user, other, *games, make_game_session(other.id, []))
    newest_first = games[::-1]

    async def ids(filter: GameSessionFilter, offset: int = 0, limit: int = 10) -> tuple:
        async with uow_factory() as uow:
            page, total = await uow.game_sessions.list_for_user(user.id, filter, offset, limit)
        assert all(game.results == [] for game in page)
        return [game.id for game in page], total

    assert await ids(GameSessionFilter()) == ([g.id for g in newest_first], 5)
    assert await ids(GameSessionFilter(), offset=1, limit=2) == (
        [g.id for g in newest_first[1:3]],
        5,
    )
    assert await ids(GameSessionFilter(), offset=5) == ([], 5)
    assert await ids(GameSessionFilter(mode=GameMode.LISTEN_ONLY)) == (
        [games[4].id, games[1].id],
        2,
    )
    assert await ids(GameSessionFilter(level=CefrLevel.B1)) == ([games[2].id], 1)
    assert await ids(GameSessionFilter(mode=GameMode.LISTEN_ONLY, level=CefrLevel.C2)) == (
        [games[4].id],
        1,
    )
    # Both bounds are inclusive, whatever the offset they are given in.
    tokyo = timezone(timedelta(hours=9))
    window = GameSessionFilter(
        completed_from=(NOW + day).astimezone(tokyo), completed_to=NOW + 3 * day
    )
    assert await ids(window) == ([games[3].id, games[2].id, games[1].id], 3)
    assert await ids(GameSessionFilter(completed_to=NOW)) == ([games[0].id], 1)

    async with uow_factory() as uow:
        page, total = await uow.game_sessions.list_for_user(uuid4(), GameSessionFilter(), 0, 10)
    assert (page, total) == ([], 0)


async def test_the_whole_game_session_is_listed(uow_factory: UowFactory) -> None:
    food, user = make_tag("food"), make_user()
    speech = make_speech([food])
    game = make_game_session(user.id, [speech])
    await add_all(uow_factory, food, speech, user, game)

    async with uow_factory() as uow:
        page, _ = await uow.game_sessions.list_for_user(user.id, GameSessionFilter(), 0, 10)
    assert page == [replace(game, results=[])]


# --- unit of work -----------------------------------------------------------------------


async def test_a_unit_of_work_that_raises_writes_nothing(uow_factory: UowFactory) -> None:
    user, tag = make_user(), make_tag("food")

    with pytest.raises(RuntimeError, match="use case failed"):
        async with uow_factory() as uow:
            await uow.users.add(user)
            await uow.tags.add(tag)
            raise RuntimeError("use case failed")

    async with uow_factory() as uow:
        assert await uow.users.get(user.id) is None
        assert await uow.tags.list_all() == []


async def test_leaving_without_commit_rolls_back(uow_factory: UowFactory) -> None:
    uow = uow_factory()
    async with uow:
        await uow.users.add(make_user())
    # The same instance serves sequential blocks.
    async with uow:
        assert await uow.users.get_by_email("ana@example.com") is None
        await uow.users.add(make_user())
        await uow.commit()
    async with uow:
        assert await uow.users.get_by_email("ana@example.com") is not None


async def test_what_a_caller_changes_in_what_it_read_is_not_stored(uow_factory: UowFactory):
    food = make_tag("food")
    speech, user = make_speech([food]), make_user()
    game = make_game_session(user.id, [speech])
    await add_all(uow_factory, food, speech, user, game)

    async with uow_factory() as uow:
        read_user, read_game = await uow.users.get(user.id), await uow.game_sessions.get(game.id)
        assert read_user is not None and read_game is not None
        read_user.name = "Changed"
        read_game.results.clear()
        (read_speech,) = await uow.speeches.get_many([speech.id])
        read_speech.tags.clear()
        assert await uow.users.get(user.id) == user
        assert await uow.game_sessions.get(game.id) == game
        assert await uow.speeches.get_many([speech.id]) == [speech]


async def test_a_commit_keeps_what_another_unit_of_work_committed_meanwhile(
    uow_factory: UowFactory,
) -> None:
    ana, bob = make_user("ana@example.com"), make_user("bob@example.com")
    first, second = uow_factory(), uow_factory()
    async with first, second:
        await first.users.add(ana)
        await first.commit()
        await second.users.add(bob)
        await second.commit()

    async with uow_factory() as uow:
        assert await uow.users.get(ana.id) == ana
        assert await uow.users.get(bob.id) == bob


# --- migration --------------------------------------------------------------------------


async def test_the_migration_creates_the_seed_indexes(engine: AsyncEngine) -> None:
    expected = {
        ("users", "idx_users_auth_provider"): (["auth_provider", "auth_provider_id"], True),
        ("login_sessions", "idx_login_sessions_user_id"): (["user_id"], False),
        ("tags", "idx_tags_category"): (["category"], False),
        ("speeches", "idx_speeches_level_type"): (["level", "type"], False),
        ("speeches", "idx_speeches_created_at"): (["created_at"], False),
        ("audit_entries", "idx_audit_entries_at"): (["at"], False),
        ("audit_entries", "idx_audit_entries_entity"): (["entity", "entity_id"], False),
        ("speech_tags", "idx_speech_tags_tag_id"): (["tag_id"], False),
        ("game_sessions", "idx_game_sessions_user_completed"): (
            ["user_id", "completed_at"],
            False,
        ),
        ("game_sessions", "idx_game_sessions_mode_level"): (["mode", "level"], False),
        ("game_results", "idx_game_results_session_sequence"): (
            ["session_id", "sequence_number"],
            True,
        ),
        ("game_results", "idx_game_results_speech_id"): (["speech_id"], False),
    }

    def reflect(connection: Any) -> dict[tuple[str, str], dict[str, Any]]:
        inspector = inspect(connection)
        return {
            (table, index["name"]): index
            for table in {table for table, _ in expected} | {"users", "tags"}
            for index in inspector.get_indexes(table)
        } | {
            (table, f"unique:{constraint['name']}"): constraint
            for table in ("users", "tags")
            for constraint in inspector.get_unique_constraints(table)
        }

    async with engine.connect() as connection:
        indexes = await connection.run_sync(reflect)
        postgresql = connection.dialect.name == "postgresql"

    for key, (columns, unique) in expected.items():
        assert key in indexes, key
        # PostgreSQL reflects the DESC column as an expression.
        names = [
            name or expression.split()[0]
            for name, expression in zip(
                indexes[key]["column_names"],
                indexes[key].get("expressions") or indexes[key]["column_names"],
                strict=True,
            )
        ]
        assert (names, bool(indexes[key]["unique"])) == (columns, unique), key
    assert ("users", "unique:uq_users_email") in indexes
    assert ("tags", "unique:uq_tags_name") in indexes
    assert (("speeches", "idx_speech_text_fts") in indexes) is postgresql


async def test_a_read_only_unit_of_work_reads_without_a_transaction(
    engine: AsyncEngine, sql_uow_factory: UowFactory
) -> None:
    await add_all(sql_uow_factory, make_tag("Food"))
    readers = read_engine(engine)
    sent: list[str] = []
    event.listen(readers.sync_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    reads = SqlUnitOfWork(session_factory(readers), read_only=True)
    try:
        async with reads:
            assert [t.name for t in await reads.tags.list_all()] == ["Food"]
            if engine.dialect.name == "postgresql":  # each statement its own transaction
                session = reads.tags._session
                xids = [await session.scalar(text("SELECT txid_current()")) for _ in range(2)]
                assert xids[0] != xids[1]
            else:  # and a SQLite reader cannot write
                with pytest.raises(Exception, match="readonly"):
                    await reads.tags._session.execute(text("DELETE FROM tags"))
            with pytest.raises(RuntimeError, match="read-only"):
                await reads.commit()
        assert not [s for s in sent if s.lstrip().upper().startswith(("BEGIN", "ROLLBACK"))]
        async with sql_uow_factory() as uow:
            assert len(await uow.tags.list_all()) == 1
    finally:
        if readers.sync_engine.pool is not engine.sync_engine.pool:
            await readers.dispose()


@pytest.mark.parametrize("database", ["unreachable PostgreSQL", "SQLite without the schema"])
async def test_an_unusable_database_is_service_unavailable(database: str, tmp_path) -> None:
    if database.startswith("unreachable"):
        engine = create_engine("postgresql://postgres@127.0.0.1:1/parla")  # nothing listens
    else:
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    uow = SqlUnitOfWork(session_factory(engine))
    try:
        with pytest.raises(ServiceUnavailable):
            async with uow:
                await uow.users.get_by_email("ana@example.com")
    finally:
        await engine.dispose()


async def test_postgresql_connections_the_server_dropped_fail_no_request() -> None:
    """The pool pings a connection before handing it out (adapters/sql/database.py), so
    connections the server dropped (a restart, a failover) are replaced unseen. Without the
    ping, the first unit of work after a drop failed, with an error type that varied from run
    to run (InterfaceError, InternalError, a bare DBAPIError)."""
    schema, name = f"parla_drop_{uuid4().hex[:12]}", f"parla-drop-{uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, pool_size=1)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
    except OSError as error:
        await admin.dispose()
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error!r}")
    settings = {"search_path": schema, "application_name": name}
    engine = create_engine(POSTGRES_URL, pool_size=3, connect_args={"server_settings": settings})
    uow = lambda: SqlUnitOfWork(session_factory(engine))  # noqa: E731

    async def read_tags() -> list[Tag]:
        async with uow() as work:
            return await work.tags.list_all()

    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        await asyncio.gather(*(read_tags() for _ in range(3)))  # three pooled connections
        async with admin.begin() as connection:
            dropped = await connection.scalar(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     "WHERE application_name = :name"), {"name": name},
            )  # fmt: skip
        assert dropped == 3

        assert await read_tags() == []
        assert await asyncio.gather(*(read_tags() for _ in range(3))) == [[], [], []]
    finally:
        await engine.dispose()
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        await admin.dispose()
