"""Two Gateway replicas, as two uvicorn processes sharing one database and the NATS server on
this machine: what a client causes on one replica reaches the sockets on the other, in
order, and keeps doing so after the replicas' NATS connections are cut.

Each replica reaches NATS through a relay of its own (tests.support.nats.Proxy), so that the
test can cut its connections without touching the server; the replicas use a stream and
subjects of their own, deleted afterwards."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
import pytest
from nats.js.errors import NotFoundError

from adapters.sql.migrate import upgrade_to_head
from tests.support.api import UNLIMITED, sign_up
from tests.support.nats import Proxy
from tests.support.services import unavailable
from tests.support.sockets import Socket

pytestmark = pytest.mark.asyncio

NATS_HOST, NATS_PORT = "127.0.0.1", 4222
ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
SETTINGS = {
    "DATABASE_URL",
    "REDIS_URL",
    "NATS_URL",
    "SECRET_KEY",
    "BLOB_DIR",
    "PUBLIC_BASE_URL",
    "VAR_DIR",
}


@dataclass
class Replica:
    url: str
    proxy: Proxy
    process: asyncio.subprocess.Process
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _start(name: str, tmp: Path, env: dict[str, str]) -> Replica:
    proxy = Proxy(NATS_HOST, NATS_PORT)
    port = _free_port()
    log = tmp / f"{name}.log"
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = await asyncio.create_subprocess_exec(
            *[sys.executable, "-m", "uvicorn", "--factory", "deployments.asgi:create"],
            *["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT,
            env={**env, "NATS_URL": await proxy.start(), "VAR_DIR": str(tmp / name)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Replica(f"http://127.0.0.1:{port}", proxy, process, log)


async def _ready(replica: Replica, seconds: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient(base_url=replica.url) as client:
        while asyncio.get_running_loop().time() < deadline:
            if replica.process.returncode is not None:
                break
            try:
                if (await client.get(f"{API}/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{replica.url} did not start:\n{replica.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
async def replicas(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[list[Replica]]:
    try:
        admin = await nats.connect(
            f"nats://{NATS_HOST}:{NATS_PORT}", max_reconnect_attempts=1, connect_timeout=2
        )
    except Exception as error:  # any failure to connect means "unavailable"
        unavailable(f"NATS is not reachable at {NATS_HOST}:{NATS_PORT}: {error!r}")
    tmp = tmp_path_factory.mktemp("replicas")
    database_url = f"sqlite+aiosqlite:///{tmp / 'parla.db'}"
    await upgrade_to_head(database_url)
    run = uuid.uuid4().hex[:12]
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=f"replicas-share-this-secret-{run}",
        NATS_STREAM=f"TEST_REPLICAS_{run}",
        NATS_SUBJECT_PREFIX=f"test.{run}",
        LOG_LEVEL="WARNING",
        RATE_LIMITS=json.dumps(UNLIMITED),  # its clients sign up more than people do
    )
    started = [await _start(name, tmp, env) for name in ("a", "b")]
    try:
        for replica in started:
            await _ready(replica)
        yield started
    finally:
        for replica in started:
            if replica.process.returncode is None:  # one that failed to start has exited
                replica.process.terminate()
        for replica in started:
            await asyncio.wait_for(replica.process.wait(), 30)
            await replica.proxy.close()
        js = admin.jetstream()
        for stream in (env["NATS_STREAM"], f"{env['NATS_STREAM']}_DEAD_LETTERS"):
            try:
                await js.delete_stream(stream)
            except NotFoundError:
                pass
        await admin.close()


async def _pair(a: httpx.AsyncClient) -> tuple[dict, dict, str]:
    ana, ben = await sign_up(a), await sign_up(a)
    created = await a.post(
        f"{API}/conversations",
        json={"type": "direct", "participant_ids": [ben["user"]["id"]]},
        headers=ana["headers"],
    )
    assert created.status_code == 201, created.text
    return ana, ben, created.json()["id"]


async def test_two_clients_on_different_replicas_chat_in_real_time(replicas):
    replica_a, replica_b = replicas
    async with httpx.AsyncClient(base_url=replica_a.url) as a:
        ana, ben, cid = await _pair(a)
        async with Socket.open(replica_a.url, f"{API}/ws/{ana['access_token']}") as on_a:
            await on_a.expect("connection_established")
            async with Socket.open(replica_b.url, f"{API}/ws/{ben['access_token']}") as on_b:
                await on_b.expect("connection_established")
                await on_a.expect("user_status_change", user_id=ben["user"]["id"], status="online")

                sent = await a.post(
                    f"{API}/conversations/{cid}/messages",
                    json={"content": "Shall we practise the past tense?"},
                    headers=ana["headers"],
                )
                assert sent.status_code == 201
                message_id = sent.json()["id"]
                pushed = await on_b.expect("message_new", conversation_id=cid)
                assert pushed["message"]["id"] == message_id
                assert pushed["message"]["content"] == "Shall we practise the past tense?"

                await on_b.send({"type": "typing_start", "conversation_id": cid})
                typing = await on_a.expect("typing_start", conversation_id=cid)
                assert typing["user_id"] == ben["user"]["id"]
                await on_b.send({"type": "typing_stop", "conversation_id": cid})
                await on_a.expect("typing_stop", conversation_id=cid)

                await on_b.send({"type": "message_delivered", "message_id": message_id})
                await on_a.expect("message_status", message_id=message_id, status="delivered")
                await on_b.send({"type": "message_read", "message_id": message_id})
                await on_a.expect("message_status", message_id=message_id, status="read")
            await on_a.expect("user_status_change", user_id=ben["user"]["id"], status="offline")


async def test_a_burst_arrives_in_order_whichever_replica_took_each_message(replicas):
    replica_a, replica_b = replicas
    async with (
        httpx.AsyncClient(base_url=replica_a.url) as a,
        httpx.AsyncClient(base_url=replica_b.url) as b,
    ):
        ana, ben, cid = await _pair(a)
        async with Socket.open(replica_b.url, f"{API}/ws/{ben['access_token']}") as on_b:
            await on_b.expect("connection_established")
            texts = [f"message {n}" for n in range(30)]
            for n, text in enumerate(texts):
                via = a if n % 2 == 0 else b
                response = await via.post(
                    f"{API}/conversations/{cid}/messages",
                    json={"content": text},
                    headers=ana["headers"],
                )
                assert response.status_code == 201
            received = [
                (await on_b.expect("message_new", seconds=10))["message"]["content"] for _ in texts
            ]
            assert received == texts


async def test_delivery_resumes_after_the_nats_connections_drop(replicas):
    replica_a, replica_b = replicas
    async with httpx.AsyncClient(base_url=replica_a.url) as a:
        ana, ben, cid = await _pair(a)
        async with Socket.open(replica_b.url, f"{API}/ws/{ben['access_token']}") as on_b:
            await on_b.expect("connection_established")

            async def send(text: str) -> None:
                response = await a.post(
                    f"{API}/conversations/{cid}/messages",
                    json={"content": text},
                    headers=ana["headers"],
                )
                assert response.status_code == 201

            await send("before")
            await on_b.expect("message_new", conversation_id=cid)
            replica_a.proxy.cut()
            replica_b.proxy.cut()
            await send("during")
            # Messages committed while the bus was away are relayed once it is back; a
            # socket may miss those relayed before its own replica had resubscribed.
            resumed = False
            for n in range(40):
                await send(f"after {n}")
                try:
                    await on_b.expect("message_new", seconds=0.5)
                    resumed = True
                    break
                except AssertionError:
                    continue
            assert resumed, "no message reached replica B's socket after the cut"
            await send("last")
            pushed = await on_b.expect("message_new", seconds=10, conversation_id=cid)
            while pushed["message"]["content"] != "last":
                pushed = await on_b.expect("message_new", seconds=10, conversation_id=cid)
        history = await a.get(
            f"{API}/conversations/{cid}/messages?limit=100", headers=ben["headers"]
        )
        contents = [m["content"] for m in history.json()["messages"]]
        assert contents[0] == "last" and contents[-2:] == ["during", "before"]
