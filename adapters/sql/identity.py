"""Repositories of the identity context over one AsyncSession; they trade the ports'
dataclasses, never ORM rows."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, update_row
from adapters.sql.tables import LoginSessionRow, PasswordResetRow, UserRow
from ports.identity import AuthProvider, LoginSession, PasswordReset, Role, User


def _user_values(user: User) -> dict[str, Any]:
    return column_values(
        user,
        "name",
        "avatar_url",
        "auth_provider_id",
        "password_hash",
        "created_at",
        "updated_at",
        email=user.email.lower(),
        auth_provider=AuthProvider(user.auth_provider).value,
        role=Role(user.role).value,
    )


def _user(row: UserRow) -> User:
    return from_row(User, row, auth_provider=AuthProvider(row.auth_provider), role=Role(row.role))


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        await insert_row(self._session, "user", to_row(UserRow, user, **_user_values(user)))

    async def get(self, user_id: UUID) -> User | None:
        return await self._one(UserRow.id == user_id)

    async def get_many(self, user_ids: list[UUID]) -> list[User]:
        if not user_ids:
            return []
        rows = await self._session.scalars(select(UserRow).where(UserRow.id.in_(user_ids)))
        return [_user(row) for row in rows]

    async def get_by_email(self, email: str) -> User | None:
        return await self._one(UserRow.email == email.lower())

    async def get_by_provider(self, provider: AuthProvider, subject: str) -> User | None:
        return await self._one(
            UserRow.auth_provider == AuthProvider(provider).value,
            UserRow.auth_provider_id == subject,
        )

    async def save(self, user: User) -> None:
        await update_row(self._session, "user", UserRow, user.id, _user_values(user))

    async def delete(self, user_id: UUID) -> None:
        # Login sessions, game sessions and their results go by ON DELETE CASCADE.
        await self._session.execute(delete(UserRow).where(UserRow.id == user_id))

    async def _one(self, *conditions: Any) -> User | None:
        row = await self._session.scalar(select(UserRow).where(*conditions))
        return _user(row) if row else None


def _login_session_values(session: LoginSession) -> dict[str, Any]:
    # All that a save writes: a login session keeps its user and its creation time.
    return column_values(session, "refresh_token_id", "expires_at", "revoked_at")


class SqlLoginSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: LoginSession) -> None:
        row = to_row(LoginSessionRow, session, **_login_session_values(session))
        await insert_row(self._session, "login session", row)

    async def get(self, session_id: UUID) -> LoginSession | None:
        row = await self._session.scalar(
            select(LoginSessionRow).where(LoginSessionRow.id == session_id)
        )
        return from_row(LoginSession, row) if row else None

    async def save(self, session: LoginSession) -> None:
        values = _login_session_values(session)
        await update_row(self._session, "login session", LoginSessionRow, session.id, values)

    async def end_all(self, user_id: UUID, now: datetime) -> list[UUID]:
        open_sessions = (LoginSessionRow.user_id == user_id, LoginSessionRow.revoked_at.is_(None))
        ended = await self._session.scalars(
            update(LoginSessionRow)
            .where(*open_sessions)
            .values(revoked_at=now)
            .returning(LoginSessionRow.id)
        )
        return list(ended)


class SqlPasswordResetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, reset: PasswordReset) -> None:
        await insert_row(self._session, "password reset", to_row(PasswordResetRow, reset))

    async def get_by_token_hash(self, token_hash: str) -> PasswordReset | None:
        row = await self._session.scalar(
            select(PasswordResetRow).where(PasswordResetRow.token_hash == token_hash)
        )
        return from_row(PasswordReset, row) if row else None

    async def use(self, reset: PasswordReset, now: datetime) -> bool:
        unused = PasswordResetRow.used_at.is_(None)
        # The row lock of this UPDATE makes a racing request wait, then find it used.
        claimed = await self._session.execute(
            update(PasswordResetRow)
            .where(PasswordResetRow.id == reset.id, unused)
            .values(used_at=now)
        )
        if claimed.rowcount == 0:  # type: ignore[attr-defined]
            return False
        await self._session.execute(
            update(PasswordResetRow)
            .where(PasswordResetRow.user_id == reset.user_id, unused)
            .values(used_at=now)
        )
        return True
