"""Login sessions and the tokens that prove them.

A login opens a session. Its refresh token is single-use: refreshing rotates it, and
presenting an already-rotated refresh token (a sign it was stolen) revokes the session."""

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


def token_pair(user: User, session: LoginSession, policy: TokenPolicy, now: datetime) -> TokenPair:
    """Claims for a fresh access token and for the session's current refresh token."""
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
        token_id=session.refresh_token_id,
        issued_at=now,
        expires_at=session.expires_at,
    )
    return TokenPair(access, refresh)


def rotate_refresh_token(session: LoginSession, presented: TokenClaims, now: datetime) -> None:
    """Accepts `presented` for `session` and gives the session a new refresh token id.

    Raises Unauthenticated for a revoked or expired session; for a refresh token that was
    already rotated it revokes the session first (the caller must persist that)."""
    if session.revoked_at is not None or session.expires_at <= now:
        raise Unauthenticated("Session has ended; log in again")
    if presented.token_id != session.refresh_token_id:
        session.revoked_at = now
        raise Unauthenticated("Refresh token was already used; the session has been revoked")
    session.refresh_token_id = secrets.token_hex(16)


def end_session(session: LoginSession, now: datetime) -> None:
    if session.revoked_at is None:
        session.revoked_at = now
