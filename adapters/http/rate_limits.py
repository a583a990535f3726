"""Which limit each route takes, and the check every request and socket message passes.

A route takes the limit its declaration names (`openapi_extra={"x-rate-limit": NAME}`, so
OpenAPI shows it too), else the first row of ROUTE_LIMITS whose pattern matches
"METHOD /path/template" (WebSocket routes as "WS"), else "default". A new router's routes
are therefore limited from the start; the names and their rates are domain.rate_limits'.

Whom a limit counts: the caller's address, or the user of a valid bearer token. The address
is the TCP peer's (Ray Serve's proxy hands the replica the peer it saw), unless
FORWARDED_FOR_HOPS says how many proxies of the operator's own stand in front: then it is
that many entries from the right of X-Forwarded-For, the one the outermost trusted proxy
appended. Entries further left were written by the client and are never trusted."""

from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from functools import lru_cache

from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import DomainError, TooManyRequests
from domain.rate_limits import Counted, RateLimit, admit
from ports.rate_limits import Allowance, RateLimiter

DEFAULT = "default"
# First match wins: exact routes before the prefixes that contain them.
ROUTE_LIMITS: tuple[tuple[str, str | None], ...] = (
    ("GET /api/v1/health", None),  # probes
    ("GET /api/v1/ready", None),
    # A signed link is its own authorization, fetched by players (range requests, replays)
    # without a token: counted per address it would make learners behind one address share.
    ("GET /api/v1/blobs/*", None),
    ("POST /api/v1/auth/login", "login"),
    ("POST /api/v1/auth/register", "register"),
    ("* /api/v1/auth/*", "auth"),
    ("POST /api/v1/game/speeches/random", "random_speeches"),
    ("POST /api/v1/game/sessions", "game_results"),
    ("GET /api/v1/game/sessions*", "game_history"),
    ("POST /api/v1/speech/score", "scoring"),
    ("* /api/v1/admin/*", "admin"),
    ("POST /api/v1/conversations/*/upload", "uploads"),
    ("* /api/v1/conversations/sessions*", DEFAULT),  # the tutor's, not messaging's
    ("* /api/v1/conversations*", "messaging"),
    ("* /api/v1/messages/*", "messaging"),
    ("* /api/v1/users/status", "messaging"),
    ("WS /api/v1/ws", "messaging"),
    ("WS /api/v1/ws/{token}", "messaging"),
    ("POST /api/v1/progress/*/courses/*/chapters/*", "chapter_completions"),
    ("PUT /api/v1/progress/*/streak/reset", "streak_resets"),
    ("GET /api/v1/progress/*/courses*", "course_progress"),
    ("* /api/v1/progress*", "progress"),
    ("GET /api/v1/courses*", "catalog"),
    ("GET /api/v1/chapters*", "catalog"),
    ("GET /api/v1/search*", "search"),
    ("POST /api/v1/quizzes/submit", "quiz_submissions"),
    ("GET /api/v1/quizzes/attempts/*", "quiz_attempts"),
    ("GET /api/v1/quizzes*", "quizzes"),
    ("POST /api/v1/hybrid/adaptive-learning", "adaptive_learning"),
    ("POST /api/v1/hybrid/llm-assessment", "llm_assessment"),
    ("POST /api/v1/hybrid/synthesis", "premium_synthesis"),
    ("POST /api/v1/hybrid/mentor-session", "mentor_sessions"),
    ("GET /api/v1/hybrid/usage/*", "premium_usage"),
)
DECLARATION = "x-rate-limit"
SOCKET_CONNECTIONS = "socket_connections"


@lru_cache(maxsize=1024)
def _by_pattern(method_and_path: str) -> str | None:
    return next(
        (name for pattern, name in ROUTE_LIMITS if fnmatchcase(method_and_path, pattern)),
        DEFAULT,
    )


def route_template(scope: Scope) -> str:
    """The full path template of the route that matched, e.g. "/api/v1/ws/{token}". The
    route in the scope knows only its own part ("/ws/{token}"): included routers' prefixes
    stay with them, so the prefix is the part of the path before the route's own match."""
    route, path = scope["route"], scope["path"]
    for cut in range(len(path) - 1, -1, -1):
        if path[cut] == "/" and route.path_regex.match(path[cut:]):
            return path[:cut] + route.path
    return route.path


def limit_of(method: str, path_template: str, openapi_extra: Mapping | None) -> str | None:
    """The name of the limit a route takes for `method` ("WS" for a socket): the one its
    declaration names, else its row of ROUTE_LIMITS; None for none."""
    declared = (openapi_extra or {}).get(DECLARATION)
    if declared is not None:
        return declared
    return _by_pattern(f"{method} {path_template}")


def route_limit(scope: Scope, method: str) -> str | None:
    """The name of the limit the scope's route takes for `method`; None for none."""
    route: BaseRoute = scope["route"]
    return limit_of(method, route_template(scope), getattr(route, "openapi_extra", None))


def client_address(connection: HTTPConnection, forwarded_for_hops: int) -> str:
    if forwarded_for_hops > 0:
        chain = [
            a.strip()
            for header in connection.headers.getlist("x-forwarded-for")
            for a in header.split(",")
        ]
        if len(chain) >= forwarded_for_hops:
            return chain[-forwarded_for_hops]
    return connection.client.host if connection.client else "unknown"


def rate_limit_headers(limit: int, remaining: int, reset_seconds: int) -> dict[str, str]:
    """The RateLimit fields (IETF httpapi draft) as their widely read separate headers."""
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset_seconds),
    }


def too_many_requests_headers(error: TooManyRequests) -> dict[str, str]:
    return {
        "Retry-After": str(error.retry_after_seconds),
        **rate_limit_headers(error.limit, 0, error.retry_after_seconds),
    }


class RateLimits:
    """The limiter with the rates in force and the way to tell clients apart."""

    def __init__(
        self,
        limiter: RateLimiter,
        limits: Mapping[str, RateLimit],
        forwarded_for_hops: int,
        user_of_token: Callable[[str], str],
    ) -> None:
        """`user_of_token` is the user id of a valid access token; DomainError otherwise."""
        self.limiter = limiter
        self.limits = limits
        self.forwarded_for_hops = forwarded_for_hops
        self._user_of_token = user_of_token

    async def check(
        self, connection: HTTPConnection, name: str, user: str | None = None
    ) -> Allowance:
        """Counts one request of the connection's client against the limit `name`; `user`
        is the caller when already known (an authenticated socket). Raises TooManyRequests."""
        limit = self.limits[name]
        client = None
        if limit.counted is Counted.USER:
            client = user or self._bearer_user(connection)
        if client is None:
            client = f"ip:{client_address(connection, self.forwarded_for_hops)}"
        return await admit(self.limiter, name, limit.rate, client)

    def _bearer_user(self, connection: HTTPConnection) -> str | None:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        try:
            return self._user_of_token(token.strip())
        except DomainError:  # an invalid token is counted by address; the route refuses it
            return None


_ALLOWANCE = "parla.rate_limit"  # where the dependency leaves what the headers tell


async def rate_limited(connection: HTTPConnection) -> None:
    """The dependency of every route: counts an HTTP request against its route's limit.
    Sockets count their connection and each message once authenticated (adapters/http/
    sockets.py), where a refusal can be told over the socket."""
    if connection.scope["type"] != "http":
        return
    name = route_limit(connection.scope, connection.scope["method"])
    if name is None:
        return
    rate_limits: RateLimits = connection.app.state.services.rate_limits
    allowance = await rate_limits.check(connection, name)
    amount = rate_limits.limits[name].rate.amount
    connection.scope[_ALLOWANCE] = rate_limit_headers(
        amount, allowance.remaining, allowance.reset_seconds
    )


class RateLimitHeadersMiddleware:
    """Adds the RateLimit headers of an allowed request to its response (a refused one has
    them in its 429 already)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            headers = scope.get(_ALLOWANCE)
            if message["type"] == "http.response.start" and headers:
                message["headers"] = [
                    *message.get("headers", []),
                    *((k.lower().encode(), v.encode()) for k, v in headers.items()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
