"""A local HTTP server that stands in for a cloud provider's REST API, so that the real SDKs
(openai, elevenlabs) can be exercised without the internet. Each test says what a route answers
and then reads what the server received."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

SPEECH_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "speech"
MP3 = (SPEECH_FIXTURES / "sentence00-en-us-1x.mp3").read_bytes()  # real speech, 1 sentence

Reply = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    """Multipart file fields: name -> (filename, content)."""


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    async def reply(_: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=status, headers=headers)

    return reply


def audio_reply(audio: bytes = MP3, chunks: int = 4, pause: float = 0.0) -> Reply:
    """`audio` sent chunked in `chunks` parts, `pause` seconds apart."""

    async def reply(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "audio/mpeg"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        size = -(-len(audio) // chunks)
        for start in range(0, len(audio), size):
            await response.write(audio[start : start + size])
            await asyncio.sleep(pause)
        await response.write_eof()
        return response

    return reply


def broken_reply(audio: bytes = MP3) -> Reply:
    """Starts sending `audio`, then drops the connection halfway."""

    async def reply(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "audio/mpeg"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(audio[: len(audio) // 2])
        await asyncio.sleep(0.05)  # the half is on its way before the connection drops
        assert request.transport is not None
        request.transport.abort()
        return response

    return reply


def silence(seconds: float = 5) -> Reply:
    """Accepts the request and answers nothing for `seconds`: a hung provider."""

    async def reply(_: web.Request) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return web.Response(status=204)

    return reply


class ProviderStub:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self._replies: dict[tuple[str, str], list[Reply]] = {}
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        self._site: web.TCPSite | None = None

    @property
    def url(self) -> str:
        assert self._site is not None
        port = self._site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    def reply(self, method: str, path: str, *replies: Reply) -> None:
        """Requests to `path` get `replies` in turn; the last one answers all that follow."""
        self._replies[(method, path)] = list(replies)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.received]

    async def __aenter__(self) -> "ProviderStub":
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await self._site.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append(await _read(request))
        replies = self._replies.get((request.method, request.path))
        if not replies:
            return web.json_response({"error": "no reply set in the test"}, status=404)
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return await reply(request)


async def _read(request: web.Request) -> Received:
    received = Received(request.method, request.path, dict(request.headers), dict(request.query))
    if request.content_type == "multipart/form-data":
        async for part in await request.multipart():
            content = await part.read()  # type: ignore[union-attr]
            if part.filename:  # type: ignore[union-attr]
                received.files[part.name or ""] = (part.filename, bytes(content))  # type: ignore[union-attr]
            else:
                received.form[part.name or ""] = content.decode()
    elif request.can_read_body:
        body = await request.read()
        received.json = json.loads(body) if body else None
    return received
