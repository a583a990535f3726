"""A durable consumer in a process of its own, for tests that kill it: it counts the events
it applies in a `tally` table, claiming each event in the transaction of the effect.

    python -m tests.support.tally_consumer DATABASE_URL NATS_URL STREAM SUBJECT_PREFIX [DIE_AFTER]

See tests.support.killable_consumer for DIE_AFTER and what it prints."""

import asyncio
import sys

from sqlalchemy import text

from adapters.sql.database import create_engine, session_factory
from adapters.sql.outbox import SqlHandledEvents
from ports.events import Event
from tests.support.killable_consumer import consume_until_killed

CONSUMER = "tally"


async def main(database_url: str, nats_url: str, stream: str, prefix: str, die_after: int) -> None:
    sessions = session_factory(create_engine(database_url))

    async def apply(event: Event) -> bool:
        async with sessions() as session, session.begin():
            if not await SqlHandledEvents(session).claim(CONSUMER, event.id):
                return False
            await session.execute(text("UPDATE tally SET applied = applied + 1"))
        return True

    await consume_until_killed(nats_url, stream, prefix, CONSUMER, "user.deleted", apply, die_after)


if __name__ == "__main__":
    url, nats_url, stream, prefix = sys.argv[1:5]
    asyncio.run(main(url, nats_url, stream, prefix, int(sys.argv[5]) if len(sys.argv) > 5 else 0))
