"""The outbox: committed events, and only those, are kept in order (on every backend); on
SQLite and PostgreSQL they reach the bus through relays that take turns, and a relay or a
consumer that dies at the worst moment loses no event and gets none applied twice (NATS
JetStream, on this machine). The relay reads SQL tables, so its tests are SQL-only."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import nats
import pytest
from nats.js.errors import NotFoundError
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory.event_bus import InMemoryEventBus
from adapters.nats.event_bus import NatsEventBus
from adapters.sql.database import create_engine, session_factory
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.outbox import OutboxRelay
from adapters.sql.tables import HandledEventRow, OutboxRow
from adapters.sql.unit_of_work import SqlUnitOfWork
from domain.identity import events
from ports.events import Event, EventBus
from tests.contract.test_event_bus import Recorder, eventually
from tests.support.killable_consumer import start_consumer
from tests.support.services import unavailable

NATS_URL = "nats://127.0.0.1:4222"


class Nats:
    """Streams and subjects of one test on the NATS server, deleted afterwards."""

    def __init__(self) -> None:
        run = uuid.uuid4().hex[:12]
        self.stream = f"TEST_OUTBOX_{run}"
        self.prefix = f"test.{run}"
        self._buses: list[NatsEventBus] = []

    async def bus(self) -> NatsEventBus:
        bus = await NatsEventBus.connect(
            NATS_URL,
            stream=self.stream,
            subject_prefix=f"{self.prefix}.events",
            dead_letter_subject=f"{self.prefix}.dead_letter",
            ack_wait_seconds=1.0,
        )
        self._buses.append(bus)
        return bus

    async def settled(self, consumer: str) -> bool:
        info = await self._buses[0]._js.consumer_info(self.stream, consumer)
        return info.num_ack_pending == 0 and info.num_pending == 0

    async def close(self) -> None:
        for bus in self._buses:
            await bus.close()
        client = await nats.connect(NATS_URL)
        for stream in (self.stream, f"{self.stream}_DEAD_LETTERS"):
            try:
                await client.jetstream().delete_stream(stream)
            except NotFoundError:
                pass
        await client.close()


@pytest.fixture
async def on_nats() -> AsyncIterator[Nats]:
    try:
        probe = await nats.connect(NATS_URL, max_reconnect_attempts=1, connect_timeout=2)
    except Exception as error:  # any failure to connect means "unavailable"
        unavailable(f"NATS is not reachable at {NATS_URL}: {error!r}")
    await probe.close()
    broker = Nats()
    yield broker
    await broker.close()


async def commit(uow_factory: Callable[[], SqlUnitOfWork], *batch: Event) -> None:
    async with uow_factory() as uow:
        for event in batch:
            await uow.outbox.add(event)
        await uow.commit()


async def all_published(engine: AsyncEngine) -> bool:
    async with engine.connect() as connection:
        statement = select(func.count()).where(OutboxRow.published_at.is_(None))
        return (await connection.execute(statement)).scalar_one() == 0


async def started_relay(engine: AsyncEngine, bus: EventBus) -> OutboxRelay:
    relay = OutboxRelay(session_factory(engine), poll_seconds=0.05)
    relay.start(bus)
    return relay


def deleted() -> Event:
    return events.user_deleted(uuid.uuid4())


@pytest.fixture
def committed_events(
    backend: str, request: pytest.FixtureRequest
) -> Callable[[], Awaitable[list[Event]]]:
    """What the backend's outbox holds, in outbox order."""
    if backend == "memory":
        database = request.getfixturevalue("memory_database")

        async def in_memory() -> list[Event]:
            return database.outbox

        return in_memory
    engine: AsyncEngine = request.getfixturevalue("engine")

    async def in_sql() -> list[Event]:
        columns = (OutboxRow.event_id, OutboxRow.type, OutboxRow.version, OutboxRow.occurred_at)
        statement = select(*columns, OutboxRow.payload).order_by(OutboxRow.position)
        async with engine.connect() as connection:
            return [Event(*row) for row in await connection.execute(statement)]

    return in_sql


async def test_committed_events_and_only_those_are_kept_in_order(uow_factory, committed_events):
    commits: list[None] = []
    uow = uow_factory(on_outbox_commit=lambda: commits.append(None))
    first, dropped, second, third = deleted(), deleted(), deleted(), deleted()
    async with uow:
        await uow.outbox.add(first)
        await uow.commit()
    async with uow:
        await uow.outbox.add(dropped)  # Left without commit: rolled back.
    async with uow:
        await uow.outbox.add(second)
        await uow.outbox.add(third)
        await uow.commit()
        # A commit that adds no event has nothing for the relay.
        await uow.commit()

    assert await committed_events() == [first, second, third]
    assert len(commits) == 2


async def test_only_committed_events_are_relayed_in_order(uow_factory, engine):
    bus = InMemoryEventBus()
    handled = Recorder()
    await bus.consume("progress", "user.deleted", handled)
    first, dropped, second, third = deleted(), deleted(), deleted(), deleted()
    await commit(uow_factory, first)
    async with uow_factory() as uow:
        await uow.outbox.add(dropped)  # Left without commit: rolled back.
    await commit(uow_factory, second, third)
    relay = await started_relay(engine, bus)
    await eventually(lambda: len(handled.events) == 3)
    assert handled.ids == [first.id, second.id, third.id]
    assert handled.events[0] == first
    await eventually(lambda: all_published(engine))
    await relay.stop()
    await bus.close()


async def test_relays_in_several_processes_take_turns_and_keep_the_order(uow_factory, engine):
    bus = InMemoryEventBus()
    handled = Recorder()
    await bus.consume("progress", "user.deleted", handled)
    relays = [await started_relay(engine, bus) for _ in range(3)]
    published = []
    for n in range(60):
        event = deleted()
        published.append(event.id)
        await commit(uow_factory, event)
        relays[n % 3].wake()
    await eventually(lambda: len(handled.events) >= 60, seconds=10)
    await asyncio.sleep(0.2)
    assert handled.ids == published
    for relay in relays:
        await relay.stop()
    await bus.close()


async def test_a_relay_that_dies_before_marking_publishes_again_and_nothing_is_handled_twice(
    uow_factory, engine, on_nats
):
    bus = await on_nats.bus()
    handled = Recorder()
    await bus.consume("progress", "user.deleted", handled)
    batch = [deleted() for _ in range(5)]
    await commit(uow_factory, *batch)
    relay = await started_relay(engine, bus)
    await eventually(lambda: len(handled.events) == 5)
    await eventually(lambda: on_nats.settled("progress"))
    await eventually(lambda: all_published(engine))
    await relay.stop()

    # As if the relay had died after publishing, before its marks were committed.
    async with engine.begin() as connection:
        await connection.execute(update(OutboxRow).values(published_at=None))
    later = deleted()
    await commit(uow_factory, later)
    relay = await started_relay(engine, bus)
    await eventually(lambda: later.id in handled.ids)
    await eventually(lambda: on_nats.settled("progress"))
    assert handled.ids == [e.id for e in batch] + [later.id]
    await eventually(lambda: all_published(engine))
    await relay.stop()


async def test_a_consumer_killed_before_acknowledging_loses_nothing_and_applies_nothing_twice(
    tmp_path, on_nats
):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'parla.db'}"
    await upgrade_to_head(database_url)
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE tally (applied INTEGER NOT NULL)"))
        await connection.execute(text("INSERT INTO tally VALUES (0)"))

    async def consumer(*die_after: int) -> asyncio.subprocess.Process:
        return await start_consumer(
            "tests.support.tally_consumer",
            database_url,
            NATS_URL,
            on_nats.stream,
            on_nats.prefix,
            *die_after,
        )

    async def tally() -> tuple[int, int]:
        async with engine.connect() as connection:
            applied = (await connection.execute(text("SELECT applied FROM tally"))).scalar_one()
            claims = select(func.count()).select_from(HandledEventRow)
            return applied, (await connection.execute(claims)).scalar_one()

    total = 200
    first = await consumer(50)  # Dies right after applying its 50th event, unacknowledged.
    relay = await started_relay(engine, await on_nats.bus())
    sessions = session_factory(engine)
    for _ in range(total):
        async with SqlUnitOfWork(sessions, relay.wake) as uow:
            await uow.outbox.add(deleted())
            await uow.commit()
    assert await asyncio.wait_for(first.wait(), 30) == 137
    applied_before_restart, _ = await tally()
    assert applied_before_restart == 50

    second = await consumer()

    async def beyond_halfway() -> bool:
        return (await tally())[0] >= total // 2 + 25

    await eventually(beyond_halfway, seconds=30)
    second.kill()  # SIGKILL, wherever it is.
    killed_output, _ = await second.communicate()
    assert (await tally())[0] < total, "the second consumer finished before it was killed"

    third = await consumer()
    await eventually(lambda: on_nats.settled("tally"), seconds=30)
    assert await tally() == (total, total)
    third.terminate()
    last_output, _ = await third.communicate()
    # The event being handled when the first process died came back (with any whose ack was
    # still unsent), and was not applied again.
    assert (killed_output + last_output).count(b"duplicate ") >= 1
    await relay.stop()
    await engine.dispose()
