"""Real WebSocket clients (the `websockets` package) and a real server for the app under
test: uvicorn, in this event loop, on a free loopback port."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Serves `app` (without running its lifespan) and yields its http:// base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class Socket:
    """A client of the messaging WebSocket that waits for pushes by type and keeps the others
    for later."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.received: list[dict[str, Any]] = []
        self._unread: list[dict[str, Any]] = []

    @classmethod
    @asynccontextmanager
    async def open(
        cls, base_url: str, path: str = "/api/v1/ws", **options: Any
    ) -> AsyncIterator["Socket"]:
        async with connect(base_url.replace("http", "ws", 1) + path, **options) as connection:
            yield cls(connection)

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def next(self, seconds: float = 5.0) -> dict[str, Any]:
        if self._unread:
            return self._unread.pop(0)
        message = json.loads(await asyncio.wait_for(self.connection.recv(), seconds))
        self.received.append(message)
        return message

    async def expect(self, type: str, seconds: float = 5.0, **fields: Any) -> dict[str, Any]:
        """The first push of `type` whose fields equal `fields` (earlier unread pushes of other
        kinds are kept for later calls)."""
        for position, message in enumerate(self._unread):
            if _fits(message, type, fields):
                return self._unread.pop(position)
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                seen = [_abridged(m) for m in self.received]
                raise AssertionError(f"No {type} {fields} within {seconds} s: {seen}")
            try:
                raw = await asyncio.wait_for(self.connection.recv(), remaining)
            except TimeoutError:
                continue
            message = json.loads(raw)
            self.received.append(message)
            if _fits(message, type, fields):
                return message
            self._unread.append(message)

    async def silent(self, type: str, seconds: float = 0.3) -> bool:
        """Whether no push of `type` arrives within `seconds`."""
        try:
            await self.expect(type, seconds)
        except AssertionError:
            return True
        return False


def _fits(message: dict[str, Any], type: str, fields: dict[str, Any]) -> bool:
    return message.get("type") == type and all(message.get(k) == v for k, v in fields.items())


def _abridged(message: Any) -> Any:
    """The message with long strings (base64 audio) cut, for readable failures."""
    if isinstance(message, dict):
        return {k: _abridged(v) for k, v in message.items()}
    if isinstance(message, list):
        return [_abridged(v) for v in message]
    if isinstance(message, str) and len(message) > 200:
        return message[:40] + f"... ({len(message)} characters)"
    return message
