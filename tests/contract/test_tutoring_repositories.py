"""The persistence contract of the tutoring ports, on every SQL database we support and in
memory."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.errors import Conflict
from ports.cefr import CefrLevel
from ports.grammar import Correction
from ports.tutoring import (
    InputMode,
    SessionStatus,
    Speaker,
    Stage,
    TutorMessage,
    TutorSession,
)
from tests.contract.conftest import UowFactory
from tests.contract.test_messaging_repositories import users

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


def tutor_session(user_id: UUID, started_at: datetime = NOW, **changes) -> TutorSession:
    session = TutorSession(
        uuid4(),
        user_id,
        CefrLevel.B1,
        "travel",
        Stage.GREETING,
        SessionStatus.ACTIVE,
        0,
        started_at,
    )
    return replace(session, **changes)


def turn(session: TutorSession, sequence: int, speaker: Speaker = Speaker.TUTOR) -> TutorMessage:
    corrections = (
        [Correction(3, 5, "go", "goes", "Use the third person singular.", "Agreement")]
        if speaker is Speaker.LEARNER
        else []
    )
    at = NOW + timedelta(seconds=sequence)
    return TutorMessage(
        uuid4(), session.id, sequence, speaker, f"#{sequence}", InputMode.TEXT, corrections, at
    )


async def test_sessions_are_listed_newest_first_by_status_and_paged(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    hour = timedelta(hours=1)
    sessions = [
        tutor_session(ana, NOW),
        tutor_session(ana, NOW + hour, status=SessionStatus.ENDED, ended_at=NOW + 2 * hour),
        tutor_session(ana, NOW + 2 * hour),
    ]
    async with uow_factory() as uow:
        for session in [*sessions, tutor_session(ben)]:
            await uow.tutor_sessions.add(session)
        await uow.commit()

    async with uow_factory() as uow:
        everything, total = await uow.tutor_sessions.list_for_user(ana, None, 0, 10)
        assert (everything, total) == (sessions[::-1], 3)
        assert await uow.tutor_sessions.list_for_user(ana, None, 1, 1) == ([sessions[1]], 3)
        active, total = await uow.tutor_sessions.list_for_user(ana, SessionStatus.ACTIVE, 0, 10)
        assert ([s.id for s in active], total) == ([sessions[2].id, sessions[0].id], 2)
        assert await uow.tutor_sessions.get(sessions[1].id) == sessions[1]
        assert await uow.tutor_sessions.get(uuid4()) is None


async def test_an_update_on_a_stale_message_count_is_a_conflict(uow_factory: UowFactory):
    (ana,) = await users(uow_factory, 1)
    session = tutor_session(ana, message_count=1)
    async with uow_factory() as uow:
        await uow.tutor_sessions.add(session)
        await uow.commit()
    moved = replace(session, stage=Stage.VOCABULARY, message_count=3)

    async with uow_factory() as uow:
        await uow.tutor_sessions.update(moved, expected_message_count=1)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.tutor_sessions.update(replace(moved, message_count=5), 1)
        with pytest.raises(Conflict):
            await uow.tutor_sessions.update(tutor_session(ana), 0)
        assert await uow.tutor_sessions.get(session.id) == moved


async def test_messages_come_in_conversation_order_and_a_taken_step_is_a_conflict(
    uow_factory: UowFactory,
):
    (ana,) = await users(uow_factory, 1)
    session, other = tutor_session(ana), tutor_session(ana)
    messages = [
        turn(session, n, Speaker.LEARNER if n % 2 == 0 else Speaker.TUTOR) for n in range(1, 6)
    ]
    async with uow_factory() as uow:
        await uow.tutor_sessions.add(session)
        await uow.tutor_sessions.add(other)
        for message in [messages[n] for n in (3, 0, 4, 2, 1)]:
            await uow.tutor_messages.add(message)
        await uow.tutor_messages.add(turn(other, 1))
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.tutor_messages.list_for_session(session.id, 0, 10) == (messages, 5)
        assert await uow.tutor_messages.list_for_session(session.id, 3, 10) == (messages[3:], 5)
        assert await uow.tutor_messages.latest(session.id, 2) == messages[3:]
        assert await uow.tutor_messages.latest(session.id, 12) == messages
        with pytest.raises(Conflict):
            await uow.tutor_messages.add(turn(session, 5))
        # The conflict undid only its own write: the unit of work goes on.
        await uow.tutor_messages.add(turn(session, 6))
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.tutor_messages.list_for_session(session.id, 0, 10))[1] == 6


async def test_deleting_a_user_deletes_the_users_tutor_sessions(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    mine, theirs = tutor_session(ana), tutor_session(ben)
    async with uow_factory() as uow:
        for session in (mine, theirs):
            await uow.tutor_sessions.add(session)
            await uow.tutor_messages.add(turn(session, 1))
        await uow.commit()
    async with uow_factory() as uow:
        await uow.users.delete(ana)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.tutor_sessions.get(mine.id) is None
        assert await uow.tutor_messages.list_for_session(mine.id, 0, 10) == ([], 0)
        assert await uow.tutor_sessions.get(theirs.id) == theirs
