"""ASGI middleware: request ids for tracing, request body size limits, and requests that
finish once started."""

import asyncio
import contextvars
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


MAX_REQUEST_ID_CHARS = 128


class RequestIdMiddleware:
    """Keeps the caller's X-Request-ID (its first 128 characters), or makes one, and answers
    with it in exactly one X-Request-ID header.

    The request goes on with that id as its only X-Request-ID, so whatever runs inside sees
    the same one. Ray Serve's ingress echoes the id it received next to the app's own: this
    middleware also runs there, outside Ray's (deployments/ingress.py), so that Ray receives
    the id already cut and its echo is folded into the one header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming[:MAX_REQUEST_ID_CHARS] or uuid.uuid4().hex
        header = (b"x-request-id", request_id.encode("latin-1"))
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"x-request-id"]
        scope["headers"].append(header)
        token = _request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append(header)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)


class BodyTooLarge(HTTPException):
    """An HTTPException so that FastAPI's body parsing lets it through to the error handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body exceeds {limit} bytes")


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit (multipart uploads have their own, larger one) whether
    or not the client sent Content-Length. Unlike Starlette's limiter, it leaves the
    response to the app's error handler, so a 413 carries the usual error body."""

    def __init__(self, app: ASGIApp, max_json_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_upload_bytes if multipart else self.max_json_bytes
        declared = headers.get(b"content-length", b"")
        # A declared length over the limit is refused before a byte is read.
        received = int(declared) if declared.isdigit() and int(declared) > limit else 0

        async def counted() -> Message:
            nonlocal received
            if received > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


class RunToCompletionMiddleware:
    """Ray Serve cancels the task of an HTTP request whose client went away. Landing at any
    await, that cancel would cut a transaction short (on SQLite, leaving a connection that
    holds the write lock); instead each request runs to its end in a task of its own and only
    the waiting for it is cancelled. Requests are short; WebSockets are left as they are."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await asyncio.shield(self.app(scope, receive, send))
