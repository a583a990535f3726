"""The realtime token issuer through the real openai SDK, against a local HTTP server that
answers as OpenAI's /realtime/client_secrets does. Skips while the openai package (which the
OpenAI adapters bring) is not installed."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from domain.errors import ServiceUnavailable

openai = pytest.importorskip("openai", reason="the openai package comes with the OpenAI adapters")
from adapters.openai_realtime import OpenAIRealtimeTokens  # noqa: E402

pytestmark = pytest.mark.asyncio
EXPIRES_AT = 1_900_000_000


class StandIn:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], Any]] = []
        self.status = 200

    async def client_secrets(self, request: web.Request) -> web.Response:
        self.received.append((request.path, dict(request.headers), await request.json()))
        if self.status != 200:
            return web.json_response({"error": {"message": "nope"}}, status=self.status)
        return web.json_response(
            {
                "value": "ek_test_123",
                "expires_at": EXPIRES_AT,
                "session": {"type": "realtime", "object": "realtime.session", "model": "m"},
            }
        )


@pytest.fixture
async def stand_in() -> AsyncIterator[tuple[StandIn, str]]:
    server = StandIn()
    app = web.Application()
    app.router.add_post("/v1/realtime/client_secrets", server.client_secrets)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield server, f"http://127.0.0.1:{port}/v1"
    await runner.cleanup()


def issuer(base_url: str) -> OpenAIRealtimeTokens:
    client = openai.AsyncOpenAI(api_key="sk-test", base_url=base_url, max_retries=0, timeout=5)
    return OpenAIRealtimeTokens(client, model="gpt-realtime", voice="verse")


async def test_issues_a_short_lived_secret_for_a_session_with_the_instructions(stand_in):
    server, base_url = stand_in
    token = await issuer(base_url).issue(instructions="Be a patient tutor.")
    assert token.value == "ek_test_123"
    assert token.expires_at == datetime.fromtimestamp(EXPIRES_AT, UTC)
    assert (token.model, token.provider) == ("gpt-realtime", "openai")
    path, headers, body = server.received[0]
    assert path == "/v1/realtime/client_secrets"
    assert headers["Authorization"] == "Bearer sk-test"
    assert body["session"]["type"] == "realtime"
    assert body["session"]["model"] == "gpt-realtime"
    assert body["session"]["instructions"] == "Be a patient tutor."
    assert body["session"]["audio"]["output"]["voice"] == "verse"
    assert body["expires_after"] == {"anchor": "created_at", "seconds": 600}


@pytest.mark.parametrize("status", [401, 500])
async def test_a_refusal_is_service_unavailable_without_the_key(stand_in, status):
    server, base_url = stand_in
    server.status = status
    with pytest.raises(ServiceUnavailable) as raised:
        await issuer(base_url).issue(instructions="x")
    assert raised.value.details == {"provider": "openai", "status": status}
    assert "sk-test" not in raised.value.message


async def test_an_unreachable_server_is_service_unavailable():
    with pytest.raises(ServiceUnavailable):
        await issuer("http://127.0.0.1:9/v1").issue(instructions="x")
