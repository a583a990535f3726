"""Login sessions and the tokens that prove them.

A login opens a session with one current refresh token. Refreshing hands out its successor,
and the rotation happens only when the client takes it: while a client keeps presenting the
current token (clients of 004 read only the new access token from a refresh), it keeps
working and every refresh hands out the same successor. The first refresh with the successor
makes it current and spends the token before it; presenting a spent token again (a sign that
it was stolen: its holder has moved on) revokes the session. A client that never used its
successor is therefore never logged out, while a client that rotates gets theft detection as
before. The successor's id is derived from the current one, so the session stores one id."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from domain.errors import Unauthenticated
from ports.identity import LoginSession, TokenClaims, User


@dataclass(frozen=True)
class TokenPolicy:
    access_ttl: timedelta = timedelta(minutes=60)
    refresh_ttl: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class TokenPair:
    access: TokenClaims
    refresh: TokenClaims


def open_session(user: User, policy: TokenPolicy, now: datetime) -> LoginSession:
    return LoginSession(
        id=uuid4(),
        user_id=user.id,
        refresh_token_id=secrets.token_hex(16),
        expires_at=now + policy.refresh_ttl,
        created_at=now,
    )


def token_pair(
    user: User,
    session: LoginSession,
    policy: TokenPolicy,
    now: datetime,
    refresh_token_id: str | None = None,
) -> TokenPair:
    """Claims for a fresh access token and for a refresh token of the session: its current
    one unless `refresh_token_id` is given."""
    access = TokenClaims(
        kind="access",
        user_id=user.id,
        session_id=session.id,
        role=user.role,
        token_id=secrets.token_hex(16),
        issued_at=now,
        expires_at=now + policy.access_ttl,
    )
    refresh = TokenClaims(
        kind="refresh",
        user_id=user.id,
        session_id=session.id,
        role=user.role,
        token_id=refresh_token_id or session.refresh_token_id,
        issued_at=now,
        expires_at=session.expires_at,
    )
    return TokenPair(access, refresh)


def successor_token_id(token_id: str) -> str:
    """The id of the refresh token that follows `token_id`. Derived, so that every refresh
    before the client takes it hands out the same successor; that it can be computed does
    not matter, as only the server can sign a token carrying it."""
    return hashlib.sha256(token_id.encode()).hexdigest()[:32]


def rotate_refresh_token(session: LoginSession, presented: TokenClaims, now: datetime) -> str:
    """Accepts `presented` for `session` and returns the id of the refresh token to hand out:
    the successor of the session's current one. Presenting that successor makes it current
    (the token before it is spent from then on); presenting the current one changes nothing.

    Raises Unauthenticated for a revoked or expired session; for a spent refresh token it
    revokes the session first (the caller must persist that)."""
    if session.revoked_at is not None or session.expires_at <= now:
        raise Unauthenticated("Session has ended; log in again")
    if presented.token_id == successor_token_id(session.refresh_token_id):
        session.refresh_token_id = presented.token_id
    elif presented.token_id != session.refresh_token_id:
        session.revoked_at = now
        raise Unauthenticated("Refresh token was already used; the session has been revoked")
    return successor_token_id(session.refresh_token_id)


def end_session(session: LoginSession, now: datetime) -> None:
    if session.revoked_at is None:
        session.revoked_at = now
