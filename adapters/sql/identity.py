"""Repositories of the identity context over one AsyncSession; they trade the ports'
dataclasses, never ORM rows."""

from typing import Any
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.statements import insert_row, update_row
from adapters.sql.tables import LoginSessionRow, UserRow
from ports.identity import AuthProvider, LoginSession, Role, User


def _user_values(user: User) -> dict[str, Any]:
    return {
        "email": user.email.lower(),
        "name": user.name,
        "avatar_url": user.avatar_url,
        "auth_provider": AuthProvider(user.auth_provider).value,
        "auth_provider_id": user.auth_provider_id,
        "password_hash": user.password_hash,
        "role": Role(user.role).value,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        avatar_url=row.avatar_url,
        auth_provider=AuthProvider(row.auth_provider),
        auth_provider_id=row.auth_provider_id,
        password_hash=row.password_hash,
        role=Role(row.role),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        await insert_row(self._session, "user", UserRow(id=user.id, **_user_values(user)))

    async def get(self, user_id: UUID) -> User | None:
        return await self._one(UserRow.id == user_id)

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
    # user_id and created_at never change for a login session: the insert alone writes them.
    return {
        "refresh_token_id": session.refresh_token_id,
        "expires_at": session.expires_at,
        "revoked_at": session.revoked_at,
    }


def _login_session(row: LoginSessionRow) -> LoginSession:
    return LoginSession(
        id=row.id,
        user_id=row.user_id,
        refresh_token_id=row.refresh_token_id,
        expires_at=row.expires_at,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class SqlLoginSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, session: LoginSession) -> None:
        row = LoginSessionRow(
            id=session.id,
            user_id=session.user_id,
            created_at=session.created_at,
            **_login_session_values(session),
        )
        await insert_row(self._session, "login session", row)

    async def get(self, session_id: UUID) -> LoginSession | None:
        row = await self._session.scalar(
            select(LoginSessionRow).where(LoginSessionRow.id == session_id)
        )
        return _login_session(row) if row else None

    async def save(self, session: LoginSession) -> None:
        values = _login_session_values(session)
        await update_row(self._session, "login session", LoginSessionRow, session.id, values)
