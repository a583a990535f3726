"""The product's tutor-turn consumer in a process of its own, for tests that kill it.

    python -m tests.support.activity_consumer DATABASE_URL NATS_URL STREAM PREFIX [DIE_AFTER]

See tests.support.killable_consumer for DIE_AFTER and what it prints."""

import asyncio
import sys

from adapters.sql.database import create_engine, session_factory
from adapters.sql.unit_of_work import SqlUnitOfWork
from domain.curriculum.activity import TUTOR_TURNS_CONSUMER, count_tutor_turn_taken
from ports.events import Event
from tests.support.killable_consumer import consume_until_killed


async def main(database_url: str, nats_url: str, stream: str, prefix: str, die_after: int) -> None:
    sessions = session_factory(create_engine(database_url))

    async def apply(event: Event) -> bool:
        return await count_tutor_turn_taken(event, SqlUnitOfWork(sessions))

    await consume_until_killed(
        nats_url,
        stream,
        prefix,
        TUTOR_TURNS_CONSUMER,
        "tutor_session.turn_taken",
        apply,
        die_after,
    )


if __name__ == "__main__":
    url, nats_url, stream, prefix = sys.argv[1:5]
    asyncio.run(main(url, nats_url, stream, prefix, int(sys.argv[5]) if len(sys.argv) > 5 else 0))
