"""A durable consumer that a test runs in a process of its own and kills.

It prints "ready" once consuming and "duplicate <event id>" for each event its `apply` finds
applied already (returns False for). With `die_after` = n the process dies (exit status 137,
as after SIGKILL) right after its n-th effect is committed, before the event is
acknowledged."""

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from adapters.nats.event_bus import NatsEventBus
from ports.events import Event

ACK_WAIT_SECONDS = 1.0
PAUSE_SECONDS = 0.01
ROOT = Path(__file__).resolve().parents[2]


async def start_consumer(
    module: str, database_url: str, nats_url: str, stream: str, prefix: str, *die_after: int
) -> asyncio.subprocess.Process:
    """`python -m module DATABASE_URL NATS_URL STREAM PREFIX [DIE_AFTER]`, once it consumes."""
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", module, database_url, nats_url, stream, prefix],
        *map(str, die_after),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    assert line == b"ready\n"
    return process


async def consume_until_killed(
    nats_url: str,
    stream: str,
    prefix: str,
    consumer: str,
    pattern: str,
    apply: Callable[[Event], Awaitable[bool]],
    die_after: int,
) -> None:
    applied = 0

    async def handle(event: Event) -> None:
        nonlocal applied
        if not await apply(event):
            print("duplicate", event.id, flush=True)
            return
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
    await bus.consume(consumer, pattern, handle)
    print("ready", flush=True)
    await asyncio.Event().wait()
