"""Readiness asks every configured dependency and names each one's status; a dependency
that is down (a wrong port, or a relay to it closed) makes it 503 with the one error body."""

import asyncio
from typing import Any

import httpx

from adapters.blobs.s3 import MinioBlobStore
from adapters.http.app import create_app
from deployments.wiring import Container, bootstrap
from tests.support.api import BASE_URL, assert_error, isolated_settings
from tests.support.nats import Proxy
from tests.support.s3_server import S3Server
from tests.support.services import unavailable

NATS = ("127.0.0.1", 4222)
REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_PORT = 1  # nothing listens on it


async def reachable_or_skip(host: str, port: int, what: str) -> None:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (OSError, TimeoutError):
        unavailable(f"{what} is not reachable at {host}:{port}")
    writer.close()


async def ready(rewired: Container) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(rewired.http_services()))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return await client.get("/api/v1/ready")


def rewire(container: Container, tmp_path, **settings: Any) -> Container:
    """The app's container on `settings`, by default on the API tests' (migrated) database."""
    blobs = settings.pop("blobs", None)
    settings.setdefault("database_url", container.settings.resolved_database_url)
    return bootstrap(
        isolated_settings(tmp_path, **settings),
        speech_scorer=container.speech_scorer,
        tutor=container.voice.tutor,
        recognizer=container.voice.recognizer,
        blobs=blobs,
    )


def not_ready(response: httpx.Response, *down: str) -> dict[str, str]:
    body = assert_error(response, 503, "ServiceUnavailable")
    checks = body["details"]["checks"]
    assert sorted(name for name, status in checks.items() if status != "ok") == sorted(down)
    assert body["message"] == f"Not ready: {', '.join(down)}"
    return checks


async def test_every_configured_dependency_is_checked(container: Container, tmp_path):
    await reachable_or_skip(*NATS, "NATS")
    await reachable_or_skip("127.0.0.1", 6379, "Redis")
    rewired = rewire(container, tmp_path, redis_url=REDIS_URL, nats_url="nats://127.0.0.1:4222")
    try:
        await rewired.start()
        answered = await ready(rewired)
    finally:
        await rewired.aclose()
    assert answered.status_code == 200, answered.text
    assert answered.json() == {
        "status": "ready",
        "checks": {"database": "ok", "blob_store": "ok", "redis": "ok", "nats": "ok"},
    }


async def test_a_database_on_a_wrong_port(container: Container, tmp_path):
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{CLOSED_PORT}/parla"
    rewired = rewire(container, tmp_path, database_url=url)
    try:
        checks = not_ready(await ready(rewired), "database")
    finally:
        await rewired.aclose()
    assert checks["database"].startswith("unavailable (")
    assert checks["blob_store"] == "ok"


async def test_redis_on_a_wrong_port(container: Container, tmp_path):
    rewired = rewire(container, tmp_path, redis_url=f"redis://127.0.0.1:{CLOSED_PORT}/0")
    try:
        checks = not_ready(await ready(rewired), "redis")
    finally:
        await rewired.aclose()
    assert checks["database"] == "ok"


async def test_nats_gone_after_start(container: Container, tmp_path):
    await reachable_or_skip(*NATS, "NATS")
    relay = Proxy(*NATS)
    rewired = rewire(container, tmp_path, nats_url=await relay.start())
    try:
        await rewired.start()
        assert (await ready(rewired)).status_code == 200
        await relay.close()  # its port now refuses the reconnections
        checks = not_ready(await ready(rewired), "nats")
    finally:
        await rewired.aclose()
    assert checks["database"] == checks["blob_store"] == "ok"


async def test_a_blob_store_gone(container: Container, tmp_path, s3: S3Server):
    host, port = s3.endpoint.split(":")
    relay = Proxy(host, int(port))
    endpoint = (await relay.start()).removeprefix("nats://")
    store = await asyncio.to_thread(
        MinioBlobStore, endpoint, s3.access_key, s3.secret_key, "readiness"
    )
    rewired = rewire(container, tmp_path, blobs=store)
    try:
        assert (await ready(rewired)).status_code == 200
        await relay.close()
        checks = not_ready(await ready(rewired), "blob_store")
    finally:
        await rewired.aclose()
    assert checks["database"] == "ok"
