"""Ports of the identity context: accounts, login sessions, credentials and social identity."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal, Protocol
from uuid import UUID


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"


class AuthProvider(StrEnum):
    EMAIL = "email"
    GOOGLE = "google"
    APPLE = "apple"
    FACEBOOK = "facebook"


@dataclass
class User:
    id: UUID
    email: str
    name: str
    avatar_url: str | None
    auth_provider: AuthProvider
    auth_provider_id: str | None
    password_hash: str | None
    role: Role
    created_at: datetime
    updated_at: datetime


@dataclass
class LoginSession:
    """One login: a family of refresh tokens of which only the newest (`refresh_token_id`)
    may be used. Revoking the session ends its refresh and access tokens."""

    id: UUID
    user_id: UUID
    refresh_token_id: str
    expires_at: datetime
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass
class PasswordReset:
    """A single-use request to set a new password: the token mailed to the user is kept only
    as its hash, so that a copy of the table resets no password."""

    id: UUID
    user_id: UUID
    token_hash: str
    expires_at: datetime
    created_at: datetime
    used_at: datetime | None = None


TokenKind = Literal["access", "refresh"]


@dataclass(frozen=True)
class TokenClaims:
    kind: TokenKind
    user_id: UUID
    session_id: UUID
    role: Role
    token_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SocialIdentity:
    """What a provider vouches for after verifying a token."""

    provider: AuthProvider
    subject: str
    email: str | None
    email_verified: bool
    name: str | None = None
    picture_url: str | None = None


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...

    async def get(self, user_id: UUID) -> User | None: ...

    async def get_many(self, user_ids: list[UUID]) -> list[User]:
        """The users of those ids that exist, in no particular order."""

    async def get_by_email(self, email: str) -> User | None:
        """Email lookup is case-insensitive; emails are stored lower-cased."""

    async def get_by_provider(self, provider: AuthProvider, subject: str) -> User | None: ...

    async def save(self, user: User) -> None: ...

    async def delete(self, user_id: UUID) -> None:
        """Deletes the user with everything the user owns (login sessions, game history)."""


class LoginSessionRepository(Protocol):
    async def add(self, session: LoginSession) -> None: ...

    async def get(self, session_id: UUID) -> LoginSession | None: ...

    async def save(self, session: LoginSession) -> None: ...

    async def end_all(self, user_id: UUID, now: datetime) -> list[UUID]:
        """Ends every session of the user not ended yet (revoked at `now`); their ids."""


class PasswordResetRepository(Protocol):
    async def add(self, reset: PasswordReset) -> None: ...

    async def get_by_token_hash(self, token_hash: str) -> PasswordReset | None: ...

    async def use(self, reset: PasswordReset, now: datetime) -> bool:
        """Marks `reset` and every other unused reset of its user used at `now`. False, and
        nothing written, when `reset` was used already (by a request that raced this one)."""


class PasswordHasher(Protocol):
    """Slow by design; implementations run off the event loop, a bounded number of checks
    at a time, and raise domain.errors.Busy rather than queue too many."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a None hash (no such user or no password), after as much work as a real
        check, so that timing does not reveal which accounts exist."""


class TokenCodec(Protocol):
    def encode(self, claims: TokenClaims) -> str: ...

    def decode(self, token: str, kind: TokenKind) -> TokenClaims:
        """Raises domain.errors.Unauthenticated for a token that is malformed, forged,
        expired or of the other kind."""


class SessionRevocations(Protocol):
    """Sessions whose access tokens must be refused before they expire (after logout).

    Shared by every Gateway replica when backed by Redis; per process in memory."""

    async def revoke(self, session_id: UUID, until: datetime) -> None:
        """Remember the revocation at least until `until` (the last access token's expiry)."""

    async def is_revoked(self, session_id: UUID) -> bool: ...


class IdentityProvider(Protocol):
    """Verifies a token issued by a social login provider."""

    provider: AuthProvider

    async def verify(self, token: str) -> SocialIdentity:
        """Raises domain.errors.Unauthenticated when the token is invalid, expired or meant
        for another app; domain.errors.ServiceUnavailable when the provider can't be reached."""
