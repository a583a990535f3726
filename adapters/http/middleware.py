"""ASGI middleware: request ids for tracing, request body size limits, JSON bodies that are
text, requests that finish once started, and the security headers of every response."""

import asyncio
import contextvars
import re
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

    def __init__(
        self,
        app: ASGIApp,
        max_json_bytes: int,
        max_upload_bytes: int,
        bulk_upload_limits: dict[str, int] | None = None,
    ) -> None:
        """`bulk_upload_limits` gives paths (prefixes) whose multipart bodies may be larger:
        an import's many files, each checked against its own limit by the route."""
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.bulk_upload_limits = bulk_upload_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_upload_bytes if multipart else self.max_json_bytes
        if multipart:
            path = scope["path"]
            limit = next(
                (n for prefix, n in self.bulk_upload_limits.items() if path.startswith(prefix)),
                limit,
            )
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


# Leftmost first: an escaped backslash ("\\" in JSON) is consumed whole, so "\\ud800" is a
# backslash and "ud800", no escape; a surrogate pair is consumed as one character; what is
# left of the \ud800..\udfff escapes is a lone surrogate.
_UNICODE_ESCAPES = re.compile(
    r"\\\\"
    r"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
_LONE_SURROGATE_LENGTH = len("\\ud800")


def escapes_lone_surrogate(json_text: str) -> bool:
    """Whether JSON text escapes half a surrogate pair ("\\ud800" alone). JSON allows it,
    but the string it makes is not text: it can't be encoded as UTF-8, so it could be
    neither stored, nor sent to a provider, nor written back to the client."""
    if "\\u" not in json_text:
        return False
    return any(
        len(m.group()) == _LONE_SURROGATE_LENGTH for m in _UNICODE_ESCAPES.finditer(json_text)
    )


# An escaped backslash is consumed whole, as above, so that "\\u0000" is no NUL.
_NUL_ESCAPES = re.compile(r"\\\\|\\u0000")


def escapes_nul(json_text: str) -> bool:
    """Whether JSON text escapes a NUL character ("\\u0000"): JSON and SQLite take it, but
    PostgreSQL refuses it in text, so a request would fail there after its checks."""
    if "\\u0000" not in json_text:
        return False
    return any(m.group() == "\\u0000" for m in _NUL_ESCAPES.finditer(json_text))


def untextual(json_text: str) -> str | None:
    """Why the strings of JSON text are not text that every store keeps; None when they are."""
    if escapes_lone_surrogate(json_text):
        return "Text must be Unicode: it escapes a lone surrogate"
    if escapes_nul(json_text):
        return "Text must not contain NUL characters"
    return None


class InvalidText(HTTPException):
    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


class TextBodyMiddleware:
    """Refuses a JSON body whose strings are not text (a lone surrogate or a NUL escape) with
    400 before the app reads it, for every route. Placed inside the size limit, which bounds
    what it buffers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if scope["type"] != "http" or content_type.startswith(b"multipart/"):
            await self.app(scope, receive, send)
            return
        body = bytearray()

        async def checked() -> Message:
            message = await receive()
            if message["type"] != "http.request":
                return message
            body.extend(message.get("body", b""))
            # latin-1 maps each byte to one character: escapes keep their places.
            if not message.get("more_body"):
                reason = untextual(body.decode("latin-1"))
                if reason is not None:
                    raise InvalidText(reason)
            return message

        await self.app(scope, checked, send)


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


# JSON needs nothing from a browser: no script, no framing, no sniffing.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# FastAPI's /docs and /redoc pages load Swagger UI and ReDoc from jsDelivr (ReDoc its fonts
# from Google) and start them with an inline script.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https:; worker-src 'self' blob:; "
    "frame-ancestors 'none'"
)
# The try page is same-origin HTML, CSS and JavaScript: it fetches the API, opens its sockets
# and plays audio links, synthesized replies (data:) and the learner's own take (blob:, which
# its browser tests also read back).
# The admin panel (SQLAdmin) serves its own scripts, styles and fonts, and starts some of them
# inline; it posts its forms to itself.
PANEL_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
)
PAGE_POLICY = (
    "default-src 'self'; connect-src 'self' blob:; media-src 'self' blob: data:; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    """Adds the headers that keep browsers from sniffing a response's type, framing it or
    sending its URL on as a referrer, and a content security policy. A header the response
    already has is kept (served files set a stricter policy of their own)."""

    def __init__(self, app: ASGIApp, page_policies: dict[str, str]) -> None:
        """`page_policies`: the policy of the pages under each path prefix; everything else
        gets API_POLICY."""
        self.app = app
        self.page_policies = page_policies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        policy = next(
            (p for prefix, p in self.page_policies.items() if path.startswith(prefix)),
            API_POLICY,
        )
        defaults = {
            b"x-content-type-options": b"nosniff",
            b"x-frame-options": b"DENY",
            b"referrer-policy": b"no-referrer",
            b"content-security-policy": policy.encode(),
        }

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in defaults.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
