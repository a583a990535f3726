"""The learning-activity consumers on NATS JetStream (on this machine): tutor turns relayed
from the outbox are counted on the learner's days once each, even when the consumer process
is killed between committing an effect and acknowledging its event."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.database import create_engine, session_factory
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.tables import DailyActivityRow, HandledEventRow
from adapters.sql.unit_of_work import SqlUnitOfWork
from domain.tutor.events import turn_taken
from ports.cefr import CefrLevel
from ports.tutoring import InputMode, SessionStatus, Speaker, Stage, TutorMessage, TutorSession
from tests.contract.test_event_bus import eventually
from tests.contract.test_outbox import NATS_URL, Nats, on_nats, started_relay
from tests.contract.test_repositories import make_user
from tests.support.killable_consumer import start_consumer

__all__ = ["on_nats"]  # the fixture, used by name
START = datetime(2026, 3, 28, 12, tzinfo=UTC)


async def counted(engine: AsyncEngine) -> tuple[int, int, int]:
    """Tutor turns counted, days with some, and events claimed."""
    async with engine.connect() as connection:
        turns, days = (
            await connection.execute(
                select(func.coalesce(func.sum(DailyActivityRow.tutor_turns), 0), func.count())
            )
        ).one()
        claims = select(func.count()).select_from(HandledEventRow)
        return turns, days, (await connection.execute(claims)).scalar_one()


async def test_a_killed_activity_consumer_loses_no_turn_and_counts_none_twice(
    tmp_path, on_nats: Nats
):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'parla.db'}"
    await upgrade_to_head(database_url)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    learner = make_user(f"ana-{uuid4().hex[:6]}@example.com")
    async with SqlUnitOfWork(sessions) as uow:
        await uow.users.add(learner)
        await uow.commit()

    async def consumer(*die_after: int) -> asyncio.subprocess.Process:
        return await start_consumer(
            "tests.support.activity_consumer",
            database_url,
            NATS_URL,
            on_nats.stream,
            on_nats.prefix,
            *die_after,
        )

    total, days = 120, 4
    first = await consumer(40)  # Dies right after counting its 40th turn, unacknowledged.
    relay = await started_relay(engine, await on_nats.bus())
    for n in range(total):
        at = START + timedelta(days=n % days, minutes=n)
        session = TutorSession(
            uuid4(), learner.id, CefrLevel.A2, "food", Stage.GREETING, SessionStatus.ACTIVE, 3, at
        )
        said = TutorMessage(uuid4(), session.id, 2, Speaker.LEARNER, "Hi", InputMode.TEXT, [], at)
        async with SqlUnitOfWork(sessions, relay.wake) as uow:
            await uow.outbox.add(turn_taken(session, said))
            await uow.commit()
    assert await asyncio.wait_for(first.wait(), 30) == 137
    assert (await counted(engine))[0] == 40

    second = await consumer()
    await eventually(lambda: on_nats.settled("learning-activity-tutor"), seconds=60)
    assert await counted(engine) == (total, days, total)
    second.terminate()
    output, _ = await second.communicate()
    # The turn being counted when the first process died came back, and was not counted again.
    assert output.count(b"duplicate ") >= 1
    await relay.stop()
    await engine.dispose()
