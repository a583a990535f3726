"""What every WebSocket endpoint shares: authentication by token (in the path or query, the
Authorization header, or a first message {"type": "auth", "token": ...}), the expiry of that
token, JSON requests with a "type", and errors as {"type": "error", "error", "message",
"detail", "details", "request"}.

An open socket lives as long as its access token. Ahead of the token's expiry (a minute, or
half the token's lifetime when that is shorter) the server sends {"type": "token_expiring",
"expires_at", "seconds_left"}; a client that sends {"type": "auth", "token": <a fresh access
token of the same user>} is answered {"type": "authenticated", "expires_at"} and the socket
lives on until that token's expiry. When the token expires first, the server sends
{"type": "auth_expired", "error": "Unauthorized", "message", "detail", "details"} and closes
the socket with 4401. A refused renewal is an "error" message and changes nothing."""

import asyncio
import json
import time
from typing import Any, Protocol

from fastapi import WebSocket, WebSocketDisconnect

from adapters.http.access import note_user
from adapters.http.middleware import untextual
from adapters.http.rate_limits import SOCKET_CONNECTIONS, RateLimits, route_limit
from domain.errors import DomainError, Forbidden, InvalidInput, TooManyRequests, Unauthenticated
from domain.identity.authentication import Credentials, authenticate
from ports.identity import TokenClaims

# The message types every socket shares (docs/asyncapi.yaml): the client's token (its first
# message when the token is not in the URL or a header, or a fresh one before the token
# expires), the answer to a request that failed, and the token's expiry.
AUTH = "auth"
ERROR = "error"
TOKEN_EXPIRING = "token_expiring"
AUTHENTICATED = "authenticated"
AUTH_EXPIRED = "auth_expired"
AUTH_TIMEOUT_SECONDS = 10.0
# An application close code: 4000 plus the HTTP status it stands for.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_MANY_REQUESTS = 4429
EXPIRY_NOTICE_SECONDS = 60.0


class InternalError(DomainError):
    code = "InternalError"


def error_message(error: DomainError, request: str | None) -> dict[str, Any]:
    """The error body's fields, as a push; `request` is the type of the failed message."""
    return {
        "type": ERROR,
        "error": error.code,
        "message": error.message,
        "detail": error.message,
        "details": error.details,
        "request": request,
    }


def bearer_token(websocket: WebSocket) -> str | None:
    scheme, _, credentials = websocket.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


async def receive_text(websocket: WebSocket) -> str | None:
    """The next text frame; None for a binary one. Raises WebSocketDisconnect."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message.get("text")


async def _first_message_token(websocket: WebSocket) -> str:
    try:
        text = await asyncio.wait_for(receive_text(websocket), AUTH_TIMEOUT_SECONDS)
    except TimeoutError:
        raise Unauthenticated("No token within 10 s") from None
    try:
        document = json.loads(text or "")
    except ValueError:
        document = None
    if not isinstance(document, dict) or document.get("type") != AUTH:
        raise Unauthenticated('Authenticate first: {"type": "auth", "token": "<access token>"}')
    token = document.get("token")
    if not isinstance(token, str):
        raise Unauthenticated("Missing token")
    return token


async def accept_authenticated(
    websocket: WebSocket, token: str | None, credentials: Credentials, rate_limits: RateLimits
) -> TokenClaims | None:
    """Accepts the socket, authenticates it and counts the connection against the user's
    socket_connections limit; None once a socket has been told why it is refused and closed,
    or the client has gone."""
    await websocket.accept()
    try:
        claims = await authenticate(token or await _first_message_token(websocket), credentials)
        note_user(websocket.scope, str(claims.user_id))
        await rate_limits.check(websocket, SOCKET_CONNECTIONS, str(claims.user_id))
        return claims
    except Unauthenticated as error:
        await websocket.send_json(error_message(error, AUTH))
        await websocket.close(CLOSE_UNAUTHENTICATED)
    except TooManyRequests as error:
        await websocket.send_json(error_message(error, AUTH))
        await websocket.close(CLOSE_TOO_MANY_REQUESTS)
    except WebSocketDisconnect:
        pass
    return None


async def count_message(websocket: WebSocket, rate_limits: RateLimits, claims: TokenClaims) -> None:
    """Counts a message of an open socket against its route's limit; TooManyRequests (to
    answer with an error message, the socket staying open) once it is spent."""
    name = route_limit(websocket.scope, "WS")
    if name is not None:
        await rate_limits.check(websocket, name, str(claims.user_id))


def parse_request(text: str | None, max_chars: int) -> dict[str, Any]:
    """The request of a text frame; InvalidInput for anything else, so that the error
    answering it can always be sent."""
    if text is None:
        raise InvalidInput("Send JSON in text frames")
    if len(text) > max_chars:
        raise InvalidInput(f"Messages are limited to {max_chars} characters")
    reason = untextual(text)
    if reason is not None:
        raise InvalidInput(reason)
    try:
        document = json.loads(text)
    except RecursionError:  # nested deeper than the interpreter's recursion limit
        raise InvalidInput("Malformed JSON: nested too deeply") from None
    except ValueError:
        raise InvalidInput("Malformed JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise InvalidInput('A message is a JSON object with a "type"', {"field": "type"})
    return document


class SocketWriter(Protocol):
    """How an endpoint's socket is written to: by its one writer."""

    async def send(self, message: dict[str, Any]) -> None: ...

    async def send_and_close(self, message: dict[str, Any], code: int) -> None:
        """Sends `message` as the socket's last and closes it with `code`."""
        ...


class DirectWriter:
    """Writes straight to the socket, for endpoints whose request loop is its only writer."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send(self, message: dict[str, Any]) -> None:
        await self.websocket.send_json(message)

    async def send_and_close(self, message: dict[str, Any], code: int) -> None:
        await self.websocket.send_json(message)
        await self.websocket.close(code)


class SocketAuthentication:
    """The access token an open socket holds, renewed by an "auth" message, and the socket's
    frames raced against that token's expiry (the module docstring has the protocol)."""

    def __init__(
        self,
        websocket: WebSocket,
        claims: TokenClaims,
        credentials: Credentials,
        writer: SocketWriter,
    ) -> None:
        self._websocket = websocket
        self._credentials = credentials
        self._writer = writer
        self._frame: asyncio.Future[str | None] | None = None
        self._hold(claims)

    @property
    def claims(self) -> TokenClaims:
        return self._claims

    def _hold(self, claims: TokenClaims) -> None:
        self._claims = claims
        # The token's expiry is wall-clock time; the deadlines are the event loop's clock.
        left = claims.expires_at.timestamp() - time.time()
        lifetime = (claims.expires_at - claims.issued_at).total_seconds()
        now = asyncio.get_running_loop().time()
        self._expires_at = now + left
        self._notice_at = self._expires_at - min(EXPIRY_NOTICE_SECONDS, lifetime / 2)
        self._told = False

    async def receive_text(self) -> str | None:
        """The next text frame; None for a binary one. Meanwhile tells the client that its
        token is about to expire; once it has, tells it so, closes the socket with 4401 and
        raises WebSocketDisconnect, as it does when the client leaves."""
        loop = asyncio.get_running_loop()
        if self._frame is None:
            self._frame = asyncio.ensure_future(receive_text(self._websocket))
        try:
            while True:
                now = loop.time()
                if now >= self._expires_at:
                    await self._expire()
                if not self._told and now >= self._notice_at:
                    self._told = True
                    await self._writer.send(
                        {
                            "type": TOKEN_EXPIRING,
                            "expires_at": self._claims.expires_at.isoformat(),
                            "seconds_left": max(0, round(self._expires_at - now)),
                        }
                    )
                    continue
                wake = self._expires_at if self._told else self._notice_at
                done, _ = await asyncio.wait({self._frame}, timeout=wake - now)
                if done:
                    frame, self._frame = self._frame, None
                    return frame.result()
        except BaseException:
            # Cancelled, expired or gone: no frame is awaited for a loop that has ended.
            if self._frame is not None:
                self._frame.cancel()
                self._frame = None
            raise

    async def _expire(self) -> None:
        expired = Unauthenticated(
            "The access token expired; connect again with a fresh one",
            {"expired_at": self._claims.expires_at.isoformat()},
        )
        message = {**error_message(expired, None), "type": AUTH_EXPIRED}
        del message["request"]
        try:
            await self._writer.send_and_close(message, CLOSE_UNAUTHENTICATED)
        except Exception:  # the client went away meanwhile
            pass
        raise WebSocketDisconnect(CLOSE_UNAUTHENTICATED)

    async def renew(self, document: dict[str, Any]) -> None:
        """Takes the fresh access token of an "auth" message: Unauthenticated for one that is
        not valid, Forbidden for another user's; either leaves the current one in force."""
        token = document.get("token")
        if not isinstance(token, str):
            raise InvalidInput("token must be an access token", {"field": "token"})
        claims = await authenticate(token, self._credentials)
        if claims.user_id != self._claims.user_id:
            raise Forbidden("The token belongs to another user than the socket's")
        self._hold(claims)
        await self._writer.send(
            {"type": AUTHENTICATED, "expires_at": claims.expires_at.isoformat()}
        )
