"""A durable consumer in a process of its own, for tests that kill it: it counts the events
it applies in a `tally` table, claiming each event in the transaction of the effect.

    python -m tests.support.tally_consumer DATABASE_URL NATS_URL STREAM SUBJECT_PREFIX [DIE_AFTER]

With DIE_AFTER = n the process dies (exit status 137, as after SIGKILL) right after
committing its n-th effect, before the event is acknowledged. It prints "ready" once
consuming and "duplicate <event id>" for each event it had already applied."""

import asyncio
import os
import sys

from sqlalchemy import text

from adapters.nats.event_bus import NatsEventBus
from adapters.sql.database import create_engine, session_factory
from adapters.sql.outbox import SqlHandledEvents
from ports.events import Event

CONSUMER = "tally"
ACK_WAIT_SECONDS = 1.0
PAUSE_SECONDS = 0.01


async def main(database_url: str, nats_url: str, stream: str, prefix: str, die_after: int) -> None:
    sessions = session_factory(create_engine(database_url))
    applied = 0

    async def apply(event: Event) -> None:
        nonlocal applied
        async with sessions() as session, session.begin():
            if not await SqlHandledEvents(session).claim(CONSUMER, event.id):
                print("duplicate", event.id, flush=True)
                return
            await session.execute(text("UPDATE tally SET applied = applied + 1"))
        applied += 1
        if applied == die_after:
            os._exit(137)
        # Widens the window in which a kill finds the effect committed but not acknowledged.
        await asyncio.sleep(PAUSE_SECONDS)

    bus = await NatsEventBus.connect(
        nats_url,
        stream=stream,
        subject_prefix=f"{prefix}.events",
        dead_letter_subject=f"{prefix}.dead_letter",
        ack_wait_seconds=ACK_WAIT_SECONDS,
    )
    await bus.consume(CONSUMER, "user.deleted", apply)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    url, nats_url, stream, prefix = sys.argv[1:5]
    asyncio.run(main(url, nats_url, stream, prefix, int(sys.argv[5]) if len(sys.argv) > 5 else 0))
