"""Contract of EventBus, run against the in-process bus and the NATS bus.

Every NATS test gets streams and subjects of its own (deleted afterwards), so tests and runs
never see each other's events. `replica()` is another process's bus on the same broker (the
same object for the in-process bus)."""

import asyncio
import inspect
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import nats
import pytest
from nats.aio.client import Client
from nats.js.errors import NotFoundError

from adapters.memory.event_bus import InMemoryEventBus
from adapters.nats.event_bus import NatsEventBus
from domain.errors import ServiceUnavailable
from ports.events import Event, EventBus
from tests.support.nats import Proxy
from tests.support.services import unavailable

NATS_HOST, NATS_PORT = "127.0.0.1", 4222
NATS_URL = f"nats://{NATS_HOST}:{NATS_PORT}"
MAX_DELIVER = 3
RETRY_DELAY_SECONDS = 0.05
ACK_WAIT_SECONDS = 1.0


async def eventually(check: Callable[[], object], seconds: float = 5.0) -> None:
    """Waits until `check()` (sync or async) is true."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        outcome = check()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"Still false after {seconds} s")
        await asyncio.sleep(0.01)


class Recorder:
    """A handler that remembers what it was given."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)

    @property
    def ids(self) -> list[str]:
        return [event.id for event in self.events]


DeadLetters = Callable[[], Awaitable[list[tuple[str, str]]]]


class NatsBroker:
    """The NATS server, seen through streams and subjects that belong to one test."""

    def __init__(self, client: Client) -> None:
        self.js = client.jetstream()
        run = uuid.uuid4().hex[:12]
        self.stream = f"TEST_EVENTS_{run}"
        self.subject_prefix = f"test.{run}.events"
        self.dead_letter_subject = f"test.{run}.dead_letter"
        self._buses: list[NatsEventBus] = []

    async def bus(self, url: str = NATS_URL) -> NatsEventBus:
        bus = await NatsEventBus.connect(
            url,
            stream=self.stream,
            subject_prefix=self.subject_prefix,
            max_deliver=MAX_DELIVER,
            ack_wait_seconds=ACK_WAIT_SECONDS,
            retry_delay_seconds=RETRY_DELAY_SECONDS,
            dead_letter_subject=self.dead_letter_subject,
        )
        self._buses.append(bus)
        return bus

    async def dead_letters(self) -> list[tuple[str, str]]:
        """(consumer, event id) of each stored dead letter."""
        stream = f"{self.stream}_DEAD_LETTERS"
        state = (await self.js.stream_info(stream)).state
        letters = []
        for sequence in range(state.first_seq, state.last_seq + 1) if state.messages else ():
            message = await self.js.get_msg(stream, sequence)
            assert message.headers is not None and message.data is not None
            letters.append((message.headers["Parla-Consumer"], Event.from_json(message.data).id))
        return letters

    async def settled(self, consumer: str = "progress") -> bool:
        """Whether `consumer` has acknowledged every event it was given."""
        info = await self.js.consumer_info(self.stream, consumer)
        return info.num_ack_pending == 0 and info.num_pending == 0

    async def close(self) -> None:
        for bus in self._buses:
            await bus.close()
        for stream in (self.stream, f"{self.stream}_DEAD_LETTERS"):
            try:
                await self.js.delete_stream(stream)
            except NotFoundError:
                pass


@pytest.fixture(scope="session")
async def nats_client() -> AsyncIterator[Client | str]:
    """A client to clean up with, or why NATS is unreachable: probed once per session."""
    try:
        # One quick retry, not nats-py's default of 60 two seconds apart.
        client = await nats.connect(
            NATS_URL, max_reconnect_attempts=1, reconnect_time_wait=0, connect_timeout=2
        )
    except Exception as error:  # any failure to connect means "unavailable"
        yield f"NATS is not reachable at {NATS_URL}: {error!r}"
        return
    yield client
    await client.close()


@pytest.fixture
async def nats_broker(nats_client: Client | str) -> AsyncIterator[NatsBroker]:
    if isinstance(nats_client, str):
        unavailable(nats_client)
    nats_broker = NatsBroker(nats_client)
    yield nats_broker
    await nats_broker.close()


@dataclass
class Broker:
    bus: EventBus
    replica: Callable[[], Awaitable[EventBus]]
    dead_letters: DeadLetters


@pytest.fixture(params=["memory", "nats"])
async def broker(
    request: pytest.FixtureRequest, nats_client: Client | str
) -> AsyncIterator[Broker]:
    if request.param == "memory":
        memory = InMemoryEventBus(max_deliver=MAX_DELIVER, retry_delay_seconds=RETRY_DELAY_SECONDS)

        async def same_bus() -> EventBus:
            return memory

        async def dead_letters() -> list[tuple[str, str]]:
            return [(letter.consumer, letter.event.id) for letter in memory.dead_letters]

        yield Broker(memory, same_bus, dead_letters)
        await memory.close()
        return
    if isinstance(nats_client, str):
        unavailable(nats_client)
    nats_broker = NatsBroker(nats_client)
    try:
        yield Broker(await nats_broker.bus(), nats_broker.bus, nats_broker.dead_letters)
    finally:
        await nats_broker.close()


def completed(**payload: object) -> Event:
    return Event.create("game_session.completed", dict(payload))


# Fan-out


async def test_every_subscriber_in_every_replica_gets_each_event(broker):
    here, there = Recorder(), Recorder()
    await broker.bus.subscribe("game_session.completed", here)
    await (await broker.replica()).subscribe("game_session.completed", there)
    fan_out, durable = completed(score=1), completed(score=2)
    await broker.bus.publish(fan_out)
    await broker.bus.publish(durable, durable=True)
    await eventually(lambda: len(here.events) == 2 and len(there.events) == 2)
    assert here.ids == there.ids == [fan_out.id, durable.id]


async def test_patterns_match_one_token_with_star_and_the_rest_with_greater_than(broker):
    messages, conversation = Recorder(), Recorder()
    await broker.bus.subscribe("message.*", messages)
    await broker.bus.subscribe("conversation.42.>", conversation)
    for event_type in [
        "message",
        "message.sent",
        "message.sent.late",
        "conversation.42",
        "conversation.42.message_sent",
        "conversation.42.turn.ended",
        "conversation.7.message_sent",
        "message.end",
        "conversation.42.end",
    ]:
        await broker.bus.publish(Event.create(event_type, {}))
    await eventually(
        lambda: (
            messages.events[-1:]
            and messages.events[-1].type == "message.end"
            and conversation.events[-1:]
            and conversation.events[-1].type == "conversation.42.end"
        )
    )
    assert [event.type for event in messages.events] == ["message.sent", "message.end"]
    assert [event.type for event in conversation.events] == [
        "conversation.42.message_sent",
        "conversation.42.turn.ended",
        "conversation.42.end",
    ]


@pytest.mark.parametrize("pattern", ["", "a..b", "a.>.b", "a b", "a*", "message.>x"])
async def test_invalid_patterns_are_rejected(broker, pattern):
    with pytest.raises(ValueError):
        await broker.bus.subscribe(pattern, Recorder())
    with pytest.raises(ValueError):
        await broker.bus.consume("progress", pattern, Recorder())


async def test_events_published_before_subscribing_are_not_delivered(broker):
    early, late = completed(n=1), completed(n=2)
    await broker.bus.publish(early, durable=True)
    recorder = Recorder()
    await broker.bus.subscribe("game_session.*", recorder)
    await broker.bus.publish(late)
    await eventually(lambda: late.id in recorder.ids)
    assert recorder.ids == [late.id]


async def test_a_stopped_subscription_gets_nothing_more(broker):
    stopped, running = Recorder(), Recorder()
    subscription = await broker.bus.subscribe("game_session.*", stopped)
    await broker.bus.subscribe("game_session.*", running)
    await subscription.stop()
    await subscription.stop()
    event = completed()
    await broker.bus.publish(event, durable=True)
    await eventually(lambda: running.ids == [event.id])
    await asyncio.sleep(0.1)
    assert stopped.events == []


async def test_a_failing_subscriber_does_not_stop_its_subscription(broker):
    seen: list[str] = []

    async def flaky(event: Event) -> None:
        seen.append(event.id)
        raise RuntimeError("push failed")

    await broker.bus.subscribe("game_session.*", flaky)
    first, second = completed(), completed()
    await broker.bus.publish(first)
    await broker.bus.publish(second)
    await eventually(lambda: seen == [first.id, second.id])


# Durable consumption


async def test_competing_instances_of_a_consumer_handle_each_event_once(broker):
    handled = Recorder()
    await broker.bus.consume("progress", "game_session.*", handled)
    await (await broker.replica()).consume("progress", "game_session.*", handled)
    events = [completed(n=n) for n in range(20)]
    for event in events:
        await broker.bus.publish(event, durable=True)
    await eventually(lambda: len(handled.events) >= len(events))
    await asyncio.sleep(0.2)
    assert Counter(handled.ids) == Counter(event.id for event in events)


async def test_fan_out_events_do_not_reach_consumers(broker):
    consumed = Recorder()
    await broker.bus.consume("progress", "game_session.*", consumed)
    fan_out, durable = completed(n=1), completed(n=2)
    await broker.bus.publish(fan_out)
    await broker.bus.publish(durable, durable=True)
    await eventually(lambda: durable.id in consumed.ids)
    await asyncio.sleep(0.1)
    assert consumed.ids == [durable.id]


async def test_each_consumer_handles_each_event(broker):
    analytics, progress = Recorder(), Recorder()
    await broker.bus.consume("analytics", "game_session.>", analytics)
    await (await broker.replica()).consume("progress", "game_session.completed", progress)
    event = completed()
    await broker.bus.publish(event, durable=True)
    await eventually(lambda: analytics.ids == [event.id] and progress.ids == [event.id])


async def test_a_consumer_keeps_events_while_none_of_its_instances_runs(broker):
    handled = Recorder()
    subscription = await broker.bus.consume("progress", "game_session.*", handled)
    await subscription.stop()
    event = completed()
    await broker.bus.publish(event, durable=True)
    await asyncio.sleep(0.2)
    assert handled.events == []
    await broker.bus.consume("progress", "game_session.*", handled)
    await eventually(lambda: handled.ids == [event.id])


async def test_a_consumer_pattern_is_fixed_at_creation(broker):
    await broker.bus.consume("progress", "game_session.*", Recorder())
    with pytest.raises(ValueError):
        await broker.bus.consume("progress", "message.*", Recorder())
    with pytest.raises(ValueError):
        await broker.bus.consume("progress.v2", "game_session.*", Recorder())


async def test_a_failing_handler_is_retried_then_dead_lettered(broker):
    attempts: list[str] = []

    async def failing(event: Event) -> None:
        attempts.append(event.id)
        raise RuntimeError("projection is broken")

    handled = Recorder()
    await broker.bus.consume("progress", "game_session.*", failing)
    await broker.bus.consume("analytics", "game_session.*", handled)
    event = completed()
    await broker.bus.publish(event, durable=True)
    await eventually(broker.dead_letters)
    assert await broker.dead_letters() == [("progress", event.id)]
    assert attempts == [event.id] * MAX_DELIVER
    assert handled.ids == [event.id]
    await asyncio.sleep(0.2)
    assert len(attempts) == MAX_DELIVER


async def test_a_handler_that_recovers_acknowledges_the_event(broker):
    attempts: list[str] = []

    async def recovers_on_second_try(event: Event) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise RuntimeError("database is restarting")

    await broker.bus.consume("progress", "game_session.*", recovers_on_second_try)
    event = completed()
    await broker.bus.publish(event, durable=True)
    await eventually(lambda: len(attempts) == 2)
    await asyncio.sleep(0.2)
    assert attempts == [event.id, event.id]
    assert await broker.dead_letters() == []


async def test_publishing_an_event_twice_durably_is_handled_once(broker):
    handled = Recorder()
    await broker.bus.consume("progress", "game_session.*", handled)
    event, last = completed(n=1), completed(n=2)
    await broker.bus.publish(event, durable=True)
    await broker.bus.publish(event, durable=True)
    await broker.bus.publish(last, durable=True)
    await eventually(lambda: last.id in handled.ids)
    assert handled.ids == [event.id, last.id]


async def test_a_stopped_consumer_instance_gets_nothing_more(broker):
    stopped, running = Recorder(), Recorder()
    subscription = await broker.bus.consume("progress", "game_session.*", stopped)
    await (await broker.replica()).consume("progress", "game_session.*", running)
    await subscription.stop()
    events = [completed(n=n) for n in range(5)]
    for event in events:
        await broker.bus.publish(event, durable=True)
    await eventually(lambda: len(running.events) == len(events))
    assert stopped.events == []


async def test_order_is_kept_per_event_type(broker):
    consumed, pushed = Recorder(), Recorder()
    await broker.bus.consume("progress", "game_session.*", consumed)
    await broker.bus.subscribe("game_session.*", pushed)
    events = [completed(n=n) for n in range(30)]
    for event in events:
        await broker.bus.publish(event, durable=True)
    await eventually(lambda: len(consumed.events) == len(pushed.events) == len(events))
    assert consumed.ids == pushed.ids == [event.id for event in events]


async def test_events_arrive_exactly_as_published(broker):
    event = Event(
        id=str(uuid.uuid4()),
        type="game_session.completed",
        version=2,
        occurred_at=datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))),
        payload={
            "score": 87.25,
            "words": ["thought", "through"],
            "learner": {"name": "Zoë", "level": "B1", "streak": None, "premium": False},
        },
    )
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert Event.from_json(event.to_json()) == event
    consumed, pushed = Recorder(), Recorder()
    await broker.bus.consume("progress", "game_session.*", consumed)
    await broker.bus.subscribe("game_session.*", pushed)
    await broker.bus.publish(event, durable=True)
    await eventually(lambda: consumed.events and pushed.events)
    assert consumed.events == pushed.events == [event]


async def test_a_payload_that_is_not_json_is_refused(broker):
    with pytest.raises(TypeError):
        await broker.bus.publish(completed(at=datetime.now()), durable=True)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b'{"id": "x"}',
        b'{"id": "x", "type": "a.*", "version": 1, '
        b'"occurred_at": "2025-01-01T00:00:00+00:00", "payload": {}}',
    ],
)
def test_malformed_events_do_not_parse(data):
    with pytest.raises(ValueError):
        Event.from_json(data)


# NATS only


async def test_an_event_interrupted_before_its_ack_is_applied_once_after_a_restart(nats_broker):
    applied: set[str] = set()
    deliveries: list[str] = []
    crash = asyncio.Event()

    async def project(event: Event) -> None:
        deliveries.append(event.id)
        if event.id in applied:
            return
        applied.add(event.id)
        crash.set()
        await asyncio.Event().wait()  # The process dies here, before acknowledging.

    first = await nats_broker.bus()
    await first.consume("progress", "game_session.*", project)
    event = completed()
    await first.publish(event, durable=True)
    await asyncio.wait_for(crash.wait(), 5)
    await first.close()

    restarted = await nats_broker.bus()
    await restarted.consume("progress", "game_session.*", project)
    await eventually(lambda: len(deliveries) == 2)
    assert deliveries == [event.id, event.id] and applied == {event.id}
    await eventually(nats_broker.settled)


async def test_the_bus_reconnects_and_keeps_delivering(nats_broker):
    proxy = Proxy(NATS_HOST, NATS_PORT)
    bus = await nats_broker.bus(await proxy.start())
    publisher = await nats_broker.bus()
    consumed, pushed = Recorder(), Recorder()
    await bus.consume("progress", "game_session.*", consumed)
    await bus.subscribe("game_session.*", pushed)
    before = completed(n=1)
    await publisher.publish(before, durable=True)
    await eventually(lambda: consumed.ids == [before.id])
    await eventually(nats_broker.settled)  # Else the cut may lose the ack: a redelivery.

    proxy.cut()
    during = completed(n=2)
    await publisher.publish(during, durable=True)
    await eventually(lambda: during.id in consumed.ids, seconds=10)

    async def pushed_again() -> bool:
        # Fan-out events sent while the subscriber was away are lost: send until one arrives.
        await publisher.publish(completed(n=3))
        await asyncio.sleep(0.05)
        return len(pushed.events) > 1

    await eventually(pushed_again)
    after = completed(n=4)
    await bus.publish(after, durable=True)
    await eventually(lambda: after.id in consumed.ids)
    assert consumed.ids == [before.id, during.id, after.id]
    await proxy.close()


async def test_an_unreachable_nats_is_service_unavailable():
    with pytest.raises(ServiceUnavailable):
        await NatsEventBus.connect("nats://127.0.0.1:1")
