"""WebSocket load that wrk cannot make: messages sent over REST to a group whose members
listen on the messaging WebSocket (the delay from sending to each socket's push), and many
idle sockets held open, then asked to answer."""

import asyncio
import json
import statistics
import time
from dataclasses import dataclass

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.bench.scenarios import API, Learner, World
from tests.bench.servers import RunningServer

HOLD_SECONDS = 20
ANSWER_SECONDS = 10
GIVE_UP_AFTER = 10  # consecutive sockets that fail to open: the server holds no more
SEND_CONCURRENCY = 4


@dataclass
class FanoutOutcome:
    receivers: int
    messages: int
    send_errors: int
    delivered: int  # (socket, message) pushes received
    expected: int
    p50_ms: float  # from the start of the POST to the push on a socket
    p95_ms: float
    max_ms: float
    seconds: float


@dataclass
class IdleSocketsOutcome:
    sockets: int
    opened: int  # answered connection_established
    held_seconds: float
    answered_after: int  # answered a ping with pong after the hold
    errors: int


def _socket_url(base_url: str, learner: Learner) -> str:
    return base_url.replace("http", "ws", 1) + f"{API}/ws/{learner.token}"


async def _established(connection: ClientConnection) -> bool:
    while True:
        message = json.loads(await asyncio.wait_for(connection.recv(), ANSWER_SECONDS))
        if message["type"] == "connection_established":
            return True


async def _fanout(base_url: str, world: World, receivers: int, messages: int) -> FanoutOutcome:
    sender, members = world.learners[0], world.learners[1:]
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        conversation = (
            (
                await client.post(
                    f"{API}/conversations",
                    json={
                        "type": "group",
                        "title": "Load",
                        "participant_ids": [m.user_id for m in members],
                    },
                    headers=sender.auth,
                )
            )
            .raise_for_status()
            .json()
        )
        sockets = [
            await connect(_socket_url(base_url, members[i % len(members)]), max_size=2**22)
            for i in range(receivers)
        ]
        try:
            await asyncio.gather(*(_established(s) for s in sockets))
            sent_at: dict[str, float] = {}
            delays: list[float] = []
            wanted = messages * receivers  # lowered once sends that failed are known
            all_pushed = asyncio.Event()

            async def listen(socket: ClientConnection) -> None:
                while True:
                    push = json.loads(await socket.recv())
                    if push["type"] == "message_new":
                        key = push["message"]["content"]
                        delays.append(1000 * (time.perf_counter() - sent_at[key]))
                        if len(delays) >= wanted:
                            all_pushed.set()

            listeners = [asyncio.create_task(listen(s)) for s in sockets]
            errors = 0
            pending = asyncio.Semaphore(SEND_CONCURRENCY)

            async def send(n: int) -> None:
                nonlocal errors
                key = f"load message {n}"
                async with pending:
                    sent_at[key] = time.perf_counter()
                    answer = await client.post(
                        f"{API}/conversations/{conversation['id']}/messages",
                        json={"content": key},
                        headers=sender.auth,
                    )
                    errors += answer.status_code != 201

            began = time.perf_counter()
            await asyncio.gather(*(send(n) for n in range(messages)))
            expected = wanted = (messages - errors) * receivers
            if len(delays) >= wanted:
                all_pushed.set()
            try:
                await asyncio.wait_for(all_pushed.wait(), ANSWER_SECONDS)
            except TimeoutError:
                pass  # what did not arrive counts as lost
            seconds = time.perf_counter() - began
            for listener in listeners:
                listener.cancel()
        finally:
            await asyncio.gather(*(s.close() for s in sockets))
    ordered = sorted(delays) or [0.0]
    return FanoutOutcome(
        receivers=receivers,
        messages=messages,
        send_errors=errors,
        delivered=len(delays),
        expected=expected,
        p50_ms=round(statistics.median(ordered), 1),
        p95_ms=round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        max_ms=round(ordered[-1], 1),
        seconds=round(seconds, 1),
    )


async def _idle(base_url: str, world: World, count: int) -> IdleSocketsOutcome:
    sockets: list[ClientConnection] = []
    errors = opened = answered = 0
    try:
        failing = 0
        for i in range(count):
            try:
                socket = await connect(_socket_url(base_url, world.learner(i)))
                await _established(socket)
            except (OSError, TimeoutError, ValueError) as error:
                errors += 1
                failing += 1
                print(f"    socket {i} failed to open: {error!r}", flush=True)
                if failing == GIVE_UP_AFTER:
                    errors += count - i - 1  # the rest would wait their timeouts in vain
                    break
                continue
            failing = 0
            sockets.append(socket)
            opened += 1
        await asyncio.sleep(HOLD_SECONDS)

        async def answers(socket: ClientConnection) -> bool:
            try:
                await socket.send(json.dumps({"type": "ping"}))
                while (
                    json.loads(await asyncio.wait_for(socket.recv(), ANSWER_SECONDS))["type"]
                    != "pong"
                ):
                    pass
                return True
            except Exception:  # closed or silent: counted, whatever the cause
                return False

        results = await asyncio.gather(*(answers(s) for s in sockets))
        answered = sum(results)
        errors += len(results) - answered
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return IdleSocketsOutcome(count, opened, HOLD_SECONDS, answered, errors)


def message_fanout(
    server: RunningServer, world: World, receivers: int, messages: int
) -> FanoutOutcome:
    """`messages` sent over REST to a group whose members hold `receivers` sockets."""
    return asyncio.run(_fanout(server.base_url, world, receivers, messages))


def idle_sockets(server: RunningServer, world: World, count: int) -> IdleSocketsOutcome:
    """`count` messaging sockets opened, held idle for HOLD_SECONDS, then pinged."""
    return asyncio.run(_idle(server.base_url, world, count))
