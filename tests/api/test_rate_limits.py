"""The seeds' rate limits through the real app, at their real rates: 429 with Retry-After,
the RateLimit headers and the one error body; per address or per user; on open sockets; and
across two app instances sharing Redis."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from adapters.http.app import create_app
from deployments.wiring import Container, bootstrap
from tests.api.test_content import pick
from tests.contract.test_cache import REDIS_URL, connected_redis
from tests.support.api import BASE_URL, PASSWORD, assert_error, new_email, sign_up
from tests.support.sockets import Socket, served

pytestmark = pytest.mark.asyncio


@asynccontextmanager
async def limited_app(container: Container, **settings: object) -> AsyncIterator:
    """An app on the session's database with the real limits (and `settings`): a fresh
    in-memory limiter, or Redis when `redis_url` is given."""
    rewired = bootstrap(
        container.settings.model_copy(update={"rate_limits": {}, **settings}),
        speech_scorer=container.speech_scorer,
        tutor=container.voice.tutor,
        recognizer=container.voice.recognizer,
    )
    await rewired.start()  # the in-process event bus, for the sockets
    try:
        yield create_app(rewired.http_services())
    finally:
        await rewired.aclose()


def client_of(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


async def log_in(client: httpx.AsyncClient, **headers: str) -> httpx.Response:
    credentials = {"email": "nobody@example.com", "password": PASSWORD}
    return await client.post("/api/v1/auth/login", json=credentials, headers=headers)


def assert_too_many(response: httpx.Response, limit: int) -> dict:
    body = assert_error(response, 429, "TooManyRequests")
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert response.headers["ratelimit-limit"] == str(limit)
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["ratelimit-reset"] == str(retry_after)
    assert body["details"]["retry_after_seconds"] == retry_after
    return body


async def test_the_eleventh_login_of_an_address_in_a_minute_is_429(container):
    async with limited_app(container) as app, client_of(app) as client:
        answers = [await log_in(client) for _ in range(10)]
        assert {a.status_code for a in answers} == {401}
        assert [a.headers["ratelimit-remaining"] for a in answers] == [
            str(n) for n in range(9, -1, -1)
        ]
        body = assert_too_many(await log_in(client), 10)
        assert body["details"]["limit"] == "login"
        # Registering is a limit of its own.
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": new_email(), "password": PASSWORD, "name": "Ana"},
        )
        assert response.status_code == 201


async def test_the_sixth_sign_up_of_an_address_in_a_minute_is_429(container):
    async with limited_app(container) as app, client_of(app) as client:
        for _ in range(5):
            await sign_up(client)
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": new_email(), "password": PASSWORD, "name": "Ana"},
        )
        assert_too_many(response, 5)


async def test_a_user_limit_counts_each_user_and_probes_are_not_limited(container):
    async with limited_app(container) as app, client_of(app) as client:
        ana, ben = await sign_up(client), await sign_up(client)
        for _ in range(100):  # 004's default: 100 a minute per user
            assert (await client.get("/api/v1/users/me", headers=ana["headers"])).is_success
        assert_too_many(await client.get("/api/v1/users/me", headers=ana["headers"]), 100)
        assert (await client.get("/api/v1/users/me", headers=ben["headers"])).is_success
        for _ in range(101):
            assert (await client.get("/api/v1/health")).status_code == 200


async def test_signed_audio_links_are_not_limited(container):
    async with limited_app(container) as app, client_of(app) as client:
        learner = await sign_up(client)
        speeches = (await pick(client, learner["headers"])).json()["speeches"]
        # The import tests' MinIO store shares this database: take a link this store serves.
        links = [s["audio_url"].removeprefix(BASE_URL) for s in speeches]
        served = [link for link in links if (await client.get(link)).status_code == 200]
        for _ in range(101):  # past the default limit of an address
            assert (await client.get(served[0])).status_code == 200


async def test_only_the_configured_proxies_address_is_trusted(container):
    async with limited_app(container, forwarded_for_hops=1) as app, client_of(app) as client:
        # The client writes the left of the header; the trusted proxy appends the right.
        for n in range(10):
            forged = f"10.0.0.{n}, 192.0.2.7"
            assert (await log_in(client, **{"X-Forwarded-For": forged})).status_code == 401
        assert_too_many(await log_in(client, **{"X-Forwarded-For": "10.9.9.9, 192.0.2.7"}), 10)
        assert (await log_in(client, **{"X-Forwarded-For": "192.0.2.8"})).status_code == 401


async def test_a_limit_holds_across_two_app_instances_sharing_redis(container):
    await (await connected_redis()).aclose()  # skips the test when Redis is down
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"
    # Two Gateways with limiters of their own on one Redis; a fresh address per run, as the
    # counts outlive the test for a minute.
    shared = {"redis_url": REDIS_URL, "forwarded_for_hops": 1}
    async with (
        limited_app(container, **shared) as first,
        limited_app(container, **shared) as second,
        client_of(first) as one,
        client_of(second) as other,
    ):
        for n in range(10):
            client = (one, other)[n % 2]
            assert (await log_in(client, **{"X-Forwarded-For": address})).status_code == 401
        assert_too_many(await log_in(one, **{"X-Forwarded-For": address}), 10)
        assert_too_many(await log_in(other, **{"X-Forwarded-For": address}), 10)


async def test_socket_connections_and_messages_are_limited(container, client):
    token = (await sign_up(client))["access_token"]
    async with (
        limited_app(container, rate_limits={"messaging": "3/minute"}) as app,
        served(app) as live,
    ):
        for _ in range(4):  # five connections a minute per user (000); one more below
            async with Socket.open(live, f"/api/v1/ws/{token}") as ws:
                await ws.expect("connection_established")
        async with Socket.open(live, f"/api/v1/ws/{token}") as ws:
            await ws.expect("connection_established")
            for _ in range(3):
                await ws.send({"type": "ping"})
                await ws.expect("pong")
            await ws.send({"type": "ping"})
            refused = await ws.expect("error")
            assert refused["error"] == "TooManyRequests" and refused["request"] == "ping"
            assert refused["details"]["limit"] == "messaging"
            # The socket stays open: a refused message is answered, not fatal.
            await ws.send({"type": "ping"})
            assert (await ws.expect("error"))["error"] == "TooManyRequests"
        async with Socket.open(live, f"/api/v1/ws/{token}") as ws:
            refused = await ws.expect("error")
            assert refused["error"] == "TooManyRequests"
            with pytest.raises(ConnectionClosed) as closed:
                await ws.next()
            assert closed.value.rcvd.code == 4429
