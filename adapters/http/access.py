"""What every request leaves behind: its metrics by route template, one access log line, and
the request id on the trace span (when tracing is on). A route gets all three by being a
route; nothing is declared per route."""

import logging
import time

from opentelemetry import trace
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.middleware import current_request_id
from adapters.http.rate_limits import route_template
from ports.metrics import Metrics

logger = logging.getLogger(__name__)

# Where authentication leaves the caller's id for the access log (the scope outlives the
# dependencies and socket handlers that learn it).
USER_ID = "parla.user_id"
# The label of a request no route matched (404): raw paths would make one series each.
UNMATCHED = "(unmatched)"
REQUEST_ID_ATTRIBUTE = "parla.request_id"


def note_user(scope: Scope, user_id: str) -> None:
    scope[USER_ID] = user_id


def _route_of(scope: Scope) -> str:
    if "route" in scope:  # an API route; FastAPI leaves it in the scope
        return route_template(scope)
    # A mount (the try page, the admin panel) or plain route (/metrics): asked again.
    for route in scope["app"].router.routes:
        if route.matches(scope)[0] is Match.FULL:
            return route.path
    return UNMATCHED


def _loggable_path(scope: Scope) -> str:
    """The path without its query, and without the tokens some sockets take in the path
    (/ws/{token}) or the query."""
    path: str = scope["path"]
    for name, value in scope.get("path_params", {}).items():
        if "token" in name and isinstance(value, str) and value:
            path = path.replace(value, "[token]")
    return path


class AccessMiddleware:
    """Runs inside RequestIdMiddleware (the id is known) and outside the unhandled-error
    answer (a 500 is counted as one)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = current_request_id()
        trace.get_current_span().set_attribute(REQUEST_ID_ATTRIBUTE, request_id)
        started = time.perf_counter()
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send, started)
            return
        status = 500  # unless the app starts an answer

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            route = _route_of(scope)
            self.metrics.request_finished(scope["method"], route, status, seconds)
            self._log(scope, route, status, seconds)

    async def _socket(self, scope: Scope, receive: Receive, send: Send, started: float) -> None:
        route: str | None = None

        async def send_noting_accept(message: Message) -> None:
            nonlocal route
            if message["type"] == "websocket.accept":
                route = _route_of(scope)
                self.metrics.socket_changed(route, 1)
            await send(message)

        try:
            await self.app(scope, receive, send_noting_accept)
        finally:
            if route is not None:
                self.metrics.socket_changed(route, -1)
                # 101: the socket was accepted; its line comes when it closes.
                self._log(scope, route, 101, time.perf_counter() - started)

    @staticmethod
    def _log(scope: Scope, route: str, status: int, seconds: float) -> None:
        method = scope.get("method", "WS")
        path = _loggable_path(scope)
        logger.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={
                "method": method,
                "path": path,
                "route": route,
                "status": status,
                "latency_ms": round(seconds * 1000, 1),
                "user_id": scope.get(USER_ID),
            },
        )
