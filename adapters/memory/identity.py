"""Repositories of the identity context over the in-memory tables."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.tables import Tables, delete_where, insert, loaded, stored, update
from ports.identity import AuthProvider, LoginSession, PasswordReset, User


def _email(user: User) -> str:
    return user.email


def _social_identity(user: User) -> tuple[AuthProvider, str] | None:
    # One account per social identity; email accounts have no provider id.
    if user.auth_provider_id is None:
        return None
    return user.auth_provider, user.auth_provider_id


class InMemoryUserRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, user: User) -> None:
        user = replace(user, email=user.email.lower())
        insert(self._tables.users, user.id, user, "user", _email, _social_identity)

    async def get(self, user_id: UUID) -> User | None:
        return loaded(self._tables.users.get(user_id))

    async def get_many(self, user_ids: list[UUID]) -> list[User]:
        found = (self._tables.users.get(u) for u in dict.fromkeys(user_ids))
        return [loaded(user) for user in found if user is not None]

    async def get_by_email(self, email: str) -> User | None:
        return self._one(lambda user: user.email == email.lower())

    async def get_by_provider(self, provider: AuthProvider, subject: str) -> User | None:
        return self._one(lambda user: _social_identity(user) == (provider, subject))

    async def save(self, user: User) -> None:
        user = replace(user, email=user.email.lower())
        update(self._tables.users, user.id, user, "user", _email, _social_identity)

    async def delete(self, user_id: UUID) -> None:
        """What SQL's ON DELETE rules do: what the user owns goes, what others share (their
        conversations, the messages they sent) stays without them."""
        tables = self._tables
        tables.users.pop(user_id, None)
        delete_where(tables.login_sessions, lambda s: s.user_id == user_id)
        delete_where(tables.password_resets, lambda r: r.user_id == user_id)
        delete_where(tables.game_sessions, lambda g: g.user_id == user_id)
        ended = {s.id for s in tables.tutor_sessions.values() if s.user_id == user_id}
        delete_where(tables.tutor_sessions, lambda s: s.id in ended)
        delete_where(tables.tutor_messages, lambda m: m.session_id in ended)
        delete_where(tables.participants, lambda p: p.user_id == user_id)
        delete_where(tables.receipts, lambda r: r.user_id == user_id)
        tables.user_statuses.pop(user_id, None)
        delete_where(tables.learning_profiles, lambda p: p.user_id == user_id)
        delete_where(tables.pronunciation_analyses, lambda a: a.user_id == user_id)
        delete_where(tables.assessments, lambda a: a.user_id == user_id)
        tables.learning_settings.pop(user_id, None)
        delete_where(tables.review_items, lambda i: i.user_id == user_id)
        delete_where(tables.learning_plans, lambda p: p.user_id == user_id)
        for conversation in tables.conversations.values():
            if conversation.created_by == user_id:
                conversation.created_by = None
        for message in tables.messages.values():
            if message.sender_id == user_id:
                message.sender_id = None

    def _one(self, matches: Callable[[User], bool]) -> User | None:
        return loaded(next((u for u in self._tables.users.values() if matches(u)), None))


class InMemoryLoginSessionRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, session: LoginSession) -> None:
        insert(self._tables.login_sessions, session.id, session, "login session")

    async def get(self, session_id: UUID) -> LoginSession | None:
        return loaded(self._tables.login_sessions.get(session_id))

    async def save(self, session: LoginSession) -> None:
        # user_id and created_at never change for a login session.
        unchanging = ("user_id", "created_at")
        update(self._tables.login_sessions, session.id, session, "login session", keep=unchanging)

    async def end_all(self, user_id: UUID, now: datetime) -> list[UUID]:
        ended = [
            s
            for s in self._tables.login_sessions.values()
            if s.user_id == user_id and s.revoked_at is None
        ]
        for session in ended:
            session.revoked_at = stored(now)
        return [session.id for session in ended]


class InMemoryPasswordResetRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, reset: PasswordReset) -> None:
        resets = self._tables.password_resets
        insert(resets, reset.id, reset, "password reset", lambda r: r.token_hash)

    async def get_by_token_hash(self, token_hash: str) -> PasswordReset | None:
        resets = self._tables.password_resets.values()
        return loaded(next((r for r in resets if r.token_hash == token_hash), None))

    async def use(self, reset: PasswordReset, now: datetime) -> bool:
        current = self._tables.password_resets.get(reset.id)
        if current is None or current.used_at is not None:
            return False
        for other in self._tables.password_resets.values():
            if other.user_id == reset.user_id and other.used_at is None:
                other.used_at = stored(now)
        return True
