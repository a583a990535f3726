"""Event bus on NATS. An event of type "game_session.completed" travels on
"<subject_prefix>.durable.game_session.completed" when durable and on
"<subject_prefix>.fanout.game_session.completed" otherwise:

- a stream stores whatever is published on its subjects, even by a core publish, so fan-out
  events get subjects of their own, outside the stream (`<subject_prefix>.durable.>`);
- subscribers are core subscriptions on "<subject_prefix>.*.<pattern>": one subscription sees
  both kinds, in order, since a JetStream publish is also a core message on its subject;
- the stream has interest retention: a durable event stays until every durable consumer
  whose filter matches has acknowledged (or dead-lettered) it, and `Nats-Msg-Id` = event id
  lets the stream drop re-publishes within its duplicate window;
- consumers are durable pull consumers with explicit acks. Deliveries are bounded here, not by
  the server: the delivery after the last allowed one (left by a crash or a slow handler)
  still reaches this code, which moves it to the dead letters instead of losing it;
- dead letters are stored in a stream of their own (`<stream>_DEAD_LETTERS`, kept until
  purged) with the headers Parla-Consumer, Parla-Error and Parla-Deliveries.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription as CoreSubscription
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from domain.errors import ServiceUnavailable
from ports.events import (
    Event,
    EventHandler,
    validate_consumer_name,
    validate_event_type_pattern,
)

logger = logging.getLogger(__name__)

# nats-py's batched fetch holds the first message until the whole batch arrives or the request
# expires, so events are pulled one at a time; the wait bounds how long a pull request lost
# in a reconnection delays the next one.
_PULL_WAIT_SECONDS = 2.0
_MAX_RETRY_DELAY_SECONDS = 300.0
_DUPLICATE_WINDOW_SECONDS = 120.0
_MAX_ERROR_HEADER_LENGTH = 1000


class _CoreSubscription:
    def __init__(self, subscription: CoreSubscription, on_stop: Callable[[Any], None]) -> None:
        self._subscription = subscription
        self._on_stop = on_stop

    async def stop(self) -> None:
        self._on_stop(self)
        try:
            await self._subscription.unsubscribe()
        except NatsError:
            pass  # Already unsubscribed, or the connection is closed: no interest is left.


class _PullSubscription:
    def __init__(
        self,
        task: asyncio.Task[None],
        pull: JetStreamContext.PullSubscription,
        on_stop: Callable[[Any], None],
    ) -> None:
        self._task = task
        self._pull = pull
        self._on_stop = on_stop

    async def stop(self) -> None:
        self._on_stop(self)
        self._task.cancel()
        await asyncio.wait({self._task})
        try:
            await self._pull.unsubscribe()
        except NatsError:
            pass  # Already unsubscribed, or the connection is closed: no interest is left.


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered event: its place in the dead letter stream, the consumer that gave
    up on it, why, after how many deliveries, and the message as it was published."""

    sequence: int
    consumer: str
    error: str
    deliveries: int
    data: bytes


class NatsEventBus:
    """Create it with `await NatsEventBus.connect(url)`."""

    def __init__(
        self,
        client: Client,
        *,
        stream: str,
        subject_prefix: str,
        max_deliver: int,
        ack_wait_seconds: float,
        retry_delay_seconds: float,
        dead_letter_subject: str,
    ) -> None:
        self._nc = client
        self._js = client.jetstream()
        self._stream = stream
        self._prefix = subject_prefix
        self._max_deliver = max_deliver
        self._ack_wait = ack_wait_seconds
        self._retry_delay = retry_delay_seconds
        self._dead_letter_subject = dead_letter_subject
        self._dead_letter_stream = f"{stream}_DEAD_LETTERS"
        self._subscriptions: set[_CoreSubscription | _PullSubscription] = set()

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        stream: str = "PARLA_EVENTS",
        subject_prefix: str = "parla.events",
        max_deliver: int = 5,
        ack_wait_seconds: float = 30,
        retry_delay_seconds: float = 1.0,
        dead_letter_subject: str = "parla.dead_letter",
    ) -> "NatsEventBus":
        """Connects and creates the streams if they are missing. Raises ServiceUnavailable when
        NATS is down at start-up (after two tries, 2 s apart); once connected, reconnects
        forever."""

        async def on_disconnected() -> None:
            logger.warning("Event bus lost its connection to NATS; reconnecting")

        async def on_reconnected() -> None:
            logger.info("Event bus reconnected to NATS")

        async def on_error(error: Exception) -> None:
            logger.warning("Event bus NATS error: %r", error)

        try:
            client = await nats.connect(
                url,
                name="parla-event-bus",
                # Two tries for the first connection, see below.
                max_reconnect_attempts=1,
                disconnected_cb=on_disconnected,
                reconnected_cb=on_reconnected,
                error_cb=on_error,
            )
        except (OSError, TimeoutError, NatsError) as error:
            raise ServiceUnavailable("The event bus (NATS) is unreachable") from error
        # nats-py reads this option on every connection loss; set before connecting, it would
        # also retry the first connection forever.
        client.options["max_reconnect_attempts"] = -1
        bus = cls(
            client,
            stream=stream,
            subject_prefix=subject_prefix,
            max_deliver=max_deliver,
            ack_wait_seconds=ack_wait_seconds,
            retry_delay_seconds=retry_delay_seconds,
            dead_letter_subject=dead_letter_subject,
        )
        try:
            await bus._ensure_streams()
        except NatsError as error:
            await client.close()
            raise ServiceUnavailable("JetStream is unavailable on NATS") from error
        return bus

    async def publish(self, event: Event, *, durable: bool = False) -> None:
        data = event.to_json()
        try:
            if durable:
                await self._js.publish(
                    self._subject("durable", event.type),
                    data,
                    stream=self._stream,
                    headers={"Nats-Msg-Id": event.id},
                )
            else:
                await self._nc.publish(self._subject("fanout", event.type), data)
        except (TimeoutError, NatsError) as error:
            raise ServiceUnavailable("The event bus (NATS) is unavailable") from error

    async def subscribe(self, event_type_pattern: str, handler: EventHandler) -> _CoreSubscription:
        subject = self._subject("*", validate_event_type_pattern(event_type_pattern))

        async def deliver(msg: Msg) -> None:
            try:
                event = Event.from_json(msg.data)
            except ValueError:
                logger.warning("Dropped a message on %s that is not an event", msg.subject)
                return
            try:
                await handler(event)
            except Exception:
                logger.exception("Subscriber to %s failed on event %s", subject, event.id)

        try:
            core = await self._nc.subscribe(subject, cb=deliver)
            # The server knows of the subscription before this returns, so no event published
            # afterwards is missed.
            await self._nc.flush()
        except (TimeoutError, NatsError) as error:
            raise ServiceUnavailable("The event bus (NATS) is unavailable") from error
        subscription = _CoreSubscription(core, self._subscriptions.discard)
        self._subscriptions.add(subscription)
        return subscription

    async def consume(
        self, consumer: str, event_type_pattern: str, handler: EventHandler
    ) -> _PullSubscription:
        validate_consumer_name(consumer)
        subject = self._subject("durable", validate_event_type_pattern(event_type_pattern))
        try:
            await self._ensure_consumer(consumer, subject)
            pull = await self._js.pull_subscribe_bind(durable=consumer, stream=self._stream)
        except (TimeoutError, NatsError) as error:
            raise ServiceUnavailable("The event bus (NATS) is unavailable") from error
        task = asyncio.create_task(
            self._pull(consumer, pull, handler), name=f"event-consumer-{consumer}"
        )
        subscription = _PullSubscription(task, pull, self._subscriptions.discard)
        self._subscriptions.add(subscription)
        return subscription

    async def check(self, timeout_seconds: float) -> None:
        """A round trip to the server; ServiceUnavailable while it is out of reach."""
        if not self._nc.is_connected:
            raise ServiceUnavailable("The event bus is not connected to NATS")
        try:
            await self._nc.flush(timeout=timeout_seconds)
        except (OSError, TimeoutError, NatsError) as error:
            raise ServiceUnavailable("NATS did not answer") from error

    async def dead_letter_count(self) -> int:
        info = await self._js.stream_info(self._dead_letter_stream)
        return info.state.messages

    async def dead_letters(self, limit: int, *, after: int = 0) -> list[DeadLetter]:
        """The oldest `limit` dead letters past stream sequence `after`, left in place."""
        letters: list[DeadLetter] = []
        sequence = after + 1
        while len(letters) < limit:
            try:
                # The next message at or after `sequence`: replays leave gaps.
                msg = await self._js.get_msg(
                    self._dead_letter_stream, sequence, self._dead_letter_subject, next=True
                )
            except NotFoundError:
                break
            headers = msg.headers or {}
            letters.append(
                DeadLetter(
                    sequence=msg.seq,
                    consumer=headers.get("Parla-Consumer", ""),
                    error=headers.get("Parla-Error", ""),
                    deliveries=int(headers.get("Parla-Deliveries", "0")),
                    data=msg.data or b"",
                )
            )
            sequence = msg.seq + 1
        return letters

    async def replay_dead_letters(self) -> int:
        """Publishes every dead-lettered event again on its durable subject, then removes it
        from the dead letters; how many. Every durable consumer whose filter matches gets it
        again, which is safe: handlers claim each event once (`handled_events`). A letter
        that is not an event stays, for a purge."""
        replayed = after = 0
        while letters := await self.dead_letters(100, after=after):
            for letter in letters:
                after = letter.sequence
                try:
                    event = Event.from_json(letter.data)
                except ValueError:
                    continue
                await self._js.publish(
                    self._subject("durable", event.type),
                    letter.data,
                    stream=self._stream,
                    # A fresh id: the event's own would be dropped as a duplicate.
                    headers={"Nats-Msg-Id": f"replay:{uuid.uuid4().hex}:{event.id}"},
                )
                await self._js.delete_msg(self._dead_letter_stream, letter.sequence)
                replayed += 1
        return replayed

    async def purge_dead_letters(self) -> int:
        """Deletes every dead letter; how many there were."""
        count = await self.dead_letter_count()
        await self._js.purge_stream(self._dead_letter_stream)
        return count

    async def close(self) -> None:
        for subscription in list(self._subscriptions):
            await subscription.stop()
        try:
            await self._nc.close()
        except OSError:  # the connection was lost already: nothing is left to flush
            pass

    def _subject(self, kind: str, event_type_or_pattern: str) -> str:
        return f"{self._prefix}.{kind}.{event_type_or_pattern}"

    async def _ensure_streams(self) -> None:
        await self._ensure_stream(
            StreamConfig(
                name=self._stream,
                subjects=[self._subject("durable", ">")],
                retention=RetentionPolicy.INTEREST,
                duplicate_window=_DUPLICATE_WINDOW_SECONDS,
            )
        )
        await self._ensure_stream(
            StreamConfig(
                name=self._dead_letter_stream,
                subjects=[self._dead_letter_subject],
                retention=RetentionPolicy.LIMITS,
                duplicate_window=_DUPLICATE_WINDOW_SECONDS,
            )
        )

    async def _ensure_stream(self, config: StreamConfig) -> None:
        """Keeps an existing stream as it is, so operators may tune it (replicas, limits)."""
        assert config.name is not None
        try:
            await self._js.stream_info(config.name)
        except NotFoundError:
            # Replicas starting together may all get here. The server answered a creation that
            # lost that race with "subjects overlap with an existing stream" (two replicas
            # started at once, tests/api/test_messaging_replicas.py): the stream exists then,
            # which is all that matters; any other refusal still ends in NotFoundError here.
            try:
                await self._js.add_stream(config)
            except BadRequestError:
                await self._js.stream_info(config.name)

    async def _ensure_consumer(self, consumer: str, subject: str) -> None:
        try:
            info = await self._js.consumer_info(self._stream, consumer)
        except NotFoundError:
            config = ConsumerConfig(
                durable_name=consumer,
                filter_subject=subject,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=self._ack_wait,
                max_deliver=-1,  # Bounded by `_handle`, see the module docstring.
            )
            await self._js.add_consumer(self._stream, config)
            return
        if info.config.filter_subject != subject:
            raise ValueError(
                f"Consumer {consumer!r} already consumes {info.config.filter_subject!r}"
            )

    async def _pull(
        self, consumer: str, pull: JetStreamContext.PullSubscription, handler: EventHandler
    ) -> None:
        while True:
            try:
                messages = await pull.fetch(1, timeout=_PULL_WAIT_SECONDS)
            except TimeoutError:
                continue  # No event yet.
            except Exception as error:
                # Typically while reconnecting: keep pulling, without spinning.
                logger.warning("Consumer %s could not pull events: %r", consumer, error)
                await asyncio.sleep(_PULL_WAIT_SECONDS)
                continue
            for msg in messages:
                try:
                    await self._handle(consumer, msg, handler)
                except Exception as error:
                    # The acknowledgement was lost, so the event comes back after the ack wait.
                    logger.warning("Consumer %s could not settle an event: %r", consumer, error)

    async def _handle(self, consumer: str, msg: Msg, handler: EventHandler) -> None:
        deliveries = msg.metadata.num_delivered
        try:
            event = Event.from_json(msg.data)
        except ValueError as error:
            await self._dead_letter(consumer, msg, repr(error))  # Retrying cannot fix it.
            return
        if deliveries > self._max_deliver:
            await self._dead_letter(consumer, msg, "no delivery was acknowledged in time")
            return
        try:
            await handler(event)
        except Exception as error:
            logger.warning(
                "Consumer %s failed on event %s (delivery %d of %d): %r",
                consumer,
                event.id,
                deliveries,
                self._max_deliver,
                error,
            )
            if deliveries >= self._max_deliver:
                await self._dead_letter(consumer, msg, repr(error))
            else:
                await msg.nak(delay=self._retry_delay_after(deliveries))
            return
        await msg.ack()

    def _retry_delay_after(self, deliveries: int) -> float:
        return min(self._retry_delay * 2 ** (deliveries - 1), _MAX_RETRY_DELAY_SECONDS)

    async def _dead_letter(self, consumer: str, msg: Msg, error: str) -> None:
        deliveries = msg.metadata.num_delivered
        headers = {
            "Parla-Consumer": consumer,
            # Header values are single lines.
            "Parla-Error": " ".join(error.split())[:_MAX_ERROR_HEADER_LENGTH],
            "Parla-Deliveries": str(deliveries),
            # If the term below is lost, the redelivered event is not dead-lettered twice.
            "Nats-Msg-Id": f"{consumer}:{msg.metadata.sequence.stream}",
        }
        try:
            await self._js.publish(
                self._dead_letter_subject,
                msg.data,
                stream=self._dead_letter_stream,
                headers=headers,
            )
        except (TimeoutError, NatsError):
            logger.exception("Consumer %s could not dead-letter an event; retrying", consumer)
            await msg.nak(delay=self._retry_delay_after(deliveries))
            return
        await msg.term()
        logger.error(
            "Consumer %s dead-lettered stream message %d after %d deliveries: %s",
            consumer,
            msg.metadata.sequence.stream,
            deliveries,
            error,
        )
