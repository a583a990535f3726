"""The transactional outbox: events stored with the change that implies them, then relayed
to the event bus.

A use case adds events to `SqlOutbox` inside its unit of work, so they are committed or
rolled back with the change. `OutboxRelay` publishes committed events durably, in outbox
order, and marks them published. A crash between publishing and marking publishes them again
with the same `Event.id`, which the bus de-duplicates."""

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.sql.statements import is_unique_violation
from adapters.sql.tables import HandledEventRow, OutboxRelayRow, OutboxRow
from ports.events import Event, EventBus

logger = logging.getLogger(__name__)

# Published rows are kept a while for inspection, beyond the bus's de-duplication window.
_KEEP_PUBLISHED = timedelta(hours=1)
_PRUNE_EVERY_SECONDS = 60.0
_MAX_BACKOFF_SECONDS = 10.0
_TURN_WAIT_SECONDS = 0.02


@dataclass(frozen=True)
class OutboxBacklog:
    """Committed events not yet published: how many, and when the oldest happened."""

    count: int
    oldest: datetime | None


class SqlOutbox:
    """Implements ports.outbox.Outbox within one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.added = False

    async def add(self, event: Event) -> None:
        self._session.add(
            OutboxRow(
                event_id=event.id,
                type=event.type,
                version=event.version,
                occurred_at=event.occurred_at,
                payload=event.payload,
            )
        )
        self.added = True


class SqlHandledEvents:
    """Implements ports.outbox.HandledEvents within one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, consumer: str, event_id: str) -> bool:
        row = HandledEventRow(consumer=consumer, event_id=event_id, handled_at=datetime.now(UTC))
        try:
            # A savepoint, so that a lost claim leaves the transaction usable.
            async with self._session.begin_nested():
                self._session.add(row)
                await self._session.flush()
        except IntegrityError as error:
            if is_unique_violation(error):
                return False
            raise
        return True


class OutboxRelay:
    """Relays committed outbox events to the bus: at once when woken (after a commit that
    added events), and every `poll_seconds` for events that other processes committed and
    did not relay (because they crashed or the bus was down).

    Relays take turns through a claim on the `outbox_relay` row, taken and released in short
    transactions: publishing holds no database lock, so writers never wait on the bus. A
    relay that dies holding the claim holds it at most `claim_seconds`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        poll_seconds: float = 1.0,
        batch_size: int = 100,
        claim_seconds: float = 30.0,
    ) -> None:
        self._sessions = sessions
        self._bus: EventBus | None = None
        self._poll = poll_seconds
        self._batch_size = batch_size
        self._claim = timedelta(seconds=claim_seconds)
        self._name = uuid.uuid4().hex
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self, bus: EventBus) -> None:
        self._bus = bus
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stops relaying; what is left is relayed by the next relay to run."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})

    async def relay_once(self) -> int | None:
        """Publishes one batch of committed, unpublished events, in outbox order: how many,
        or None when another relay has the turn. Raises when the bus fails, after marking
        what it did publish."""
        if self._bus is None:
            raise RuntimeError("The relay has not been started")
        async with self._sessions() as session:
            async with session.begin():
                pending = await session.scalar(
                    select(OutboxRow.position).where(OutboxRow.published_at.is_(None)).limit(1)
                )
            if pending is None:
                return 0
            async with session.begin():
                now = datetime.now(UTC)
                claimed = await session.execute(
                    update(OutboxRelayRow)
                    .where(
                        OutboxRelayRow.id == 1,
                        or_(
                            OutboxRelayRow.claimed_until.is_(None),
                            OutboxRelayRow.claimed_until < now,
                            OutboxRelayRow.claimed_by == self._name,
                        ),
                    )
                    .values(claimed_by=self._name, claimed_until=now + self._claim)
                )
                if claimed.rowcount == 0:  # type: ignore[attr-defined]
                    if await session.get(OutboxRelayRow, 1) is None:
                        raise RuntimeError("The outbox_relay row is missing; run the migrations")
                    return None
                rows = list(
                    await session.scalars(
                        select(OutboxRow)
                        .where(OutboxRow.published_at.is_(None))
                        .order_by(OutboxRow.position)
                        .limit(self._batch_size)
                    )
                )
            published: list[int] = []
            try:
                for row in rows:
                    event = Event(row.event_id, row.type, row.version, row.occurred_at, row.payload)
                    await self._bus.publish(event, durable=True)
                    published.append(row.position)
            finally:
                async with session.begin():
                    if published:
                        await session.execute(
                            update(OutboxRow)
                            .where(OutboxRow.position.in_(published))
                            .values(published_at=datetime.now(UTC))
                        )
                    await session.execute(
                        update(OutboxRelayRow)
                        .where(OutboxRelayRow.id == 1, OutboxRelayRow.claimed_by == self._name)
                        .values(claimed_by=None, claimed_until=None)
                    )
            return len(rows)

    async def backlog(self) -> OutboxBacklog:
        async with self._sessions() as session:
            count, oldest = (
                await session.execute(
                    select(func.count(), func.min(OutboxRow.occurred_at)).where(
                        OutboxRow.published_at.is_(None)
                    )
                )
            ).one()
        return OutboxBacklog(count, oldest)

    async def prune(self) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(OutboxRow).where(
                    OutboxRow.published_at < datetime.now(UTC) - _KEEP_PUBLISHED
                )
            )

    async def _relay_all(self) -> None:
        while True:
            relayed = await self.relay_once()
            if relayed is None:
                await asyncio.sleep(_TURN_WAIT_SECONDS)  # Another relay is publishing.
            elif relayed < self._batch_size:
                return

    async def _run(self) -> None:
        failures = 0
        loop = asyncio.get_running_loop()
        next_prune = loop.time()
        while True:
            try:
                await self._relay_all()
                if loop.time() >= next_prune:
                    await self.prune()
                    next_prune = loop.time() + _PRUNE_EVERY_SECONDS
                failures = 0
            except Exception as error:  # the bus or the database is down: retry later
                failures += 1
                logger.warning("Outbox relay failed (attempt %d): %r", failures, error)
                await asyncio.sleep(min(self._poll * 2 ** (failures - 1), _MAX_BACKOFF_SECONDS))
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self._poll)
            except TimeoutError:
                pass
            self._wake.clear()
