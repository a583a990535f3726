"""Event bus within this process: the embedded default, and the reference for the contract.

Events travel as JSON like on NATS, so every handler gets its own copy of the payload and a
payload that is not JSON fails at publish time."""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ports.events import (
    Event,
    EventHandler,
    validate_consumer_name,
    validate_event_type_pattern,
)

logger = logging.getLogger(__name__)

_MAX_RETRY_DELAY_SECONDS = 300.0


def matches(pattern: str, event_type: str) -> bool:
    """NATS subject matching: `*` is one token, a final `>` is one or more tokens."""
    wanted, tokens = pattern.split("."), event_type.split(".")
    for position, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > position
        if position >= len(tokens) or token not in ("*", tokens[position]):
            return False
    return len(tokens) == len(wanted)


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    event: Event
    error: str
    deliveries: int


@dataclass
class _Delivery:
    data: bytes
    deliveries: int = 0


@dataclass
class _Consumer:
    """A named durable consumer: its queue outlives its instances, like a JetStream durable."""

    pattern: str
    queue: asyncio.Queue[_Delivery] = field(default_factory=asyncio.Queue)


class _TaskSubscription:
    def __init__(
        self, task: asyncio.Task[None], on_stop: Callable[["_TaskSubscription"], None]
    ) -> None:
        self._task = task
        self._on_stop = on_stop

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.wait({self._task})
        self._on_stop(self)


class _FanOutSubscription(_TaskSubscription):
    def __init__(
        self,
        pattern: str,
        handler: EventHandler,
        on_stop: Callable[[_TaskSubscription], None],
    ) -> None:
        self.pattern = pattern
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        super().__init__(asyncio.create_task(self._run(handler)), on_stop)

    async def _run(self, handler: EventHandler) -> None:
        while True:
            event = Event.from_json(await self.queue.get())
            try:
                await handler(event)
            except Exception:
                logger.exception("Subscriber to %s failed on event %s", self.pattern, event.id)


class InMemoryEventBus:
    """Dead letters stay in `dead_letters`. There is no ack wait: a running handler is never
    raced by a redelivery, and events waiting for a retry are dropped by `close`."""

    def __init__(
        self,
        *,
        max_deliver: int = 5,
        retry_delay_seconds: float = 1.0,
        duplicate_window_seconds: float = 120.0,
    ) -> None:
        self.dead_letters: list[DeadLetter] = []
        self._max_deliver = max_deliver
        self._retry_delay = retry_delay_seconds
        self._duplicate_window = duplicate_window_seconds
        self._stored_at: dict[str, float] = {}
        self._consumers: dict[str, _Consumer] = {}
        self._subscriptions: set[_TaskSubscription] = set()
        self._retries: set[asyncio.TimerHandle] = set()

    async def publish(self, event: Event, *, durable: bool = False) -> None:
        data = event.to_json()
        for subscription in self._subscriptions:
            if isinstance(subscription, _FanOutSubscription) and matches(
                subscription.pattern, event.type
            ):
                subscription.queue.put_nowait(data)
        if durable and not self._is_duplicate(event.id):
            for consumer in self._consumers.values():
                if matches(consumer.pattern, event.type):
                    consumer.queue.put_nowait(_Delivery(data))

    async def subscribe(self, event_type_pattern: str, handler: EventHandler) -> _TaskSubscription:
        validate_event_type_pattern(event_type_pattern)
        subscription = _FanOutSubscription(event_type_pattern, handler, self._subscriptions.discard)
        self._subscriptions.add(subscription)
        return subscription

    async def consume(
        self, consumer: str, event_type_pattern: str, handler: EventHandler
    ) -> _TaskSubscription:
        validate_consumer_name(consumer)
        validate_event_type_pattern(event_type_pattern)
        state = self._consumers.setdefault(consumer, _Consumer(event_type_pattern))
        if state.pattern != event_type_pattern:
            raise ValueError(f"Consumer {consumer!r} already consumes {state.pattern!r}")
        task = asyncio.create_task(self._run_consumer(consumer, state.queue, handler))
        subscription = _TaskSubscription(task, self._subscriptions.discard)
        self._subscriptions.add(subscription)
        return subscription

    async def close(self) -> None:
        for subscription in list(self._subscriptions):
            await subscription.stop()
        for retry in self._retries:
            retry.cancel()
        self._retries.clear()

    def _is_duplicate(self, event_id: str) -> bool:
        now = time.monotonic()
        # Dicts keep insertion order, so the expired ids are at the front.
        while self._stored_at:
            oldest_id, stored_at = next(iter(self._stored_at.items()))
            if stored_at > now - self._duplicate_window:
                break
            del self._stored_at[oldest_id]
        if event_id in self._stored_at:
            return True
        self._stored_at[event_id] = now
        return False

    async def _run_consumer(
        self, consumer: str, queue: asyncio.Queue[_Delivery], handler: EventHandler
    ) -> None:
        while True:
            delivery = await queue.get()
            delivery.deliveries += 1
            event = Event.from_json(delivery.data)
            try:
                await handler(event)
            except asyncio.CancelledError:
                # Stopped before acknowledging: another instance gets it, as after a crash.
                queue.put_nowait(delivery)
                raise
            except Exception as error:
                self._handle_failure(consumer, queue, delivery, event, error)

    def _handle_failure(
        self,
        consumer: str,
        queue: asyncio.Queue[_Delivery],
        delivery: _Delivery,
        event: Event,
        error: Exception,
    ) -> None:
        logger.warning(
            "Consumer %s failed on event %s (delivery %d of %d): %r",
            consumer,
            event.id,
            delivery.deliveries,
            self._max_deliver,
            error,
        )
        if delivery.deliveries >= self._max_deliver:
            self.dead_letters.append(DeadLetter(consumer, event, repr(error), delivery.deliveries))
            return
        delay = min(self._retry_delay * 2 ** (delivery.deliveries - 1), _MAX_RETRY_DELAY_SECONDS)

        def retry() -> None:
            self._retries.discard(handle)
            queue.put_nowait(delivery)

        handle = asyncio.get_running_loop().call_later(delay, retry)
        self._retries.add(handle)
