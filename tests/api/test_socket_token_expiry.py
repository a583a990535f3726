"""Every WebSocket lives as long as its access token: told ahead of the expiry, closed with
4401 at it, kept open by a fresh token sent on the socket. Tokens here last 3 seconds."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from adapters.http.app import create_app
from deployments.wiring import Container
from domain.identity.tokens import TokenPolicy
from tests.support.api import BASE_URL, PASSWORD, sign_up
from tests.support.sockets import Socket, served

pytestmark = pytest.mark.asyncio

TOKEN_SECONDS = 3
# What each socket sends once it is ready for requests, and a request it answers at once.
SOCKETS = {
    "messaging": ("/api/v1/ws/{token}", "connection_established"),
    "english-only": ("/api/v1/ws/english-only?token={token}&level=A1", "greeting"),
    "learn": ("/api/v1/ws/learn?token={token}", "ready"),
}
PROBE = {"type": "ping"}  # answered "pong" by messaging, "error" (unknown type) by the others


@pytest.fixture(scope="module")
async def short_lived(container: Container) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client and a served app of the API tests' services whose tokens last 3 seconds."""
    policy = TokenPolicy(access_ttl=timedelta(seconds=TOKEN_SECONDS))
    credentials = replace(container.credentials, policy=policy)
    app = create_app(replace(container.http_services(), credentials=credentials))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        async with served(app) as base_url:
            yield client, base_url


@asynccontextmanager
async def opened(base_url: str, name: str, token: str) -> AsyncIterator[Socket]:
    """The socket `name`, ready for requests."""
    path, ready = SOCKETS[name]
    async with Socket.open(base_url, path.format(token=token)) as socket:
        await socket.expect(ready, 30)
        yield socket


async def closed_with(socket: Socket) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await socket.next(10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.mark.parametrize("name", SOCKETS)
async def test_a_socket_is_told_and_closed_when_its_token_expires(short_lived, name):
    client, base_url = short_lived
    learner = await sign_up(client)
    async with opened(base_url, name, learner["access_token"]) as socket:
        notice = await socket.expect("token_expiring", 10)
        expires_at = datetime.fromisoformat(notice["expires_at"])
        assert 0 <= notice["seconds_left"] <= TOKEN_SECONDS
        expired = await socket.expect("auth_expired", 10)
        assert expired["error"] == "Unauthorized" and expired["detail"] == expired["message"]
        assert datetime.now(UTC) >= expires_at
        assert await closed_with(socket) == 4401


@pytest.mark.parametrize("name", SOCKETS)
async def test_a_fresh_token_sent_on_the_socket_keeps_it_open(short_lived, name):
    client, base_url = short_lived
    learner = await sign_up(client)
    async with opened(base_url, name, learner["access_token"]) as socket:
        notice = await socket.expect("token_expiring", 10)
        first_expiry = datetime.fromisoformat(notice["expires_at"])
        # Refreshed after the notice (half the lifetime before the expiry), the new token
        # outlives the first by a second at least.
        refreshed = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}
        )
        assert refreshed.status_code == 200, refreshed.text
        await socket.send({"type": "auth", "token": refreshed.json()["access_token"]})
        renewed = await socket.expect("authenticated", 5)
        assert datetime.fromisoformat(renewed["expires_at"]) > first_expiry

        await asyncio.sleep((first_expiry - datetime.now(UTC)).total_seconds() + 0.2)
        await socket.send(PROBE)
        answer = await socket.expect("pong" if name == "messaging" else "error", 5)
        assert answer.get("request") in (None, "ping")
        assert not any(m["type"] == "auth_expired" for m in socket.received)
        # The renewed token expires in its turn.
        await socket.expect("auth_expired", 10)
        assert await closed_with(socket) == 4401


async def test_a_renewal_that_is_not_the_same_users_valid_token_changes_nothing(short_lived):
    client, base_url = short_lived
    learner, other = await sign_up(client), await sign_up(client)
    async with opened(base_url, "messaging", learner["access_token"]) as socket:
        await socket.send({"type": "auth", "token": other["access_token"]})
        assert (await socket.expect("error", 5))["error"] == "Forbidden"
        await socket.send({"type": "auth", "token": "forged"})
        assert (await socket.expect("error", 5))["error"] == "Unauthorized"
        await socket.send({"type": "auth"})
        assert (await socket.expect("error", 5))["error"] == "ValidationError"
        await socket.send(PROBE)
        await socket.expect("pong", 5)
        # The first token still decides: the socket ends at its expiry.
        await socket.expect("auth_expired", 10)
        assert await closed_with(socket) == 4401


async def test_a_login_token_renews_the_socket_too(short_lived):
    client, base_url = short_lived
    learner = await sign_up(client)
    async with opened(base_url, "messaging", learner["access_token"]) as socket:
        await socket.expect("token_expiring", 10)
        login = await client.post(
            "/api/v1/auth/login", json={"email": learner["user"]["email"], "password": PASSWORD}
        )
        await socket.send({"type": "auth", "token": login.json()["access_token"]})
        await socket.expect("authenticated", 5)
