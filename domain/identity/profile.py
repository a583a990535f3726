"""Use cases on the signed-in user's own account."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.errors import Unauthenticated
from domain.identity import events
from domain.identity.authentication import Credentials
from domain.identity.rules import clean_avatar_url, clean_name
from ports.identity import TokenClaims, User
from ports.unit_of_work import IdentityUnitOfWork


@dataclass(frozen=True)
class UpdateProfile:
    """Fields left as None are not changed; `clear_avatar` removes the avatar."""

    name: str | None = None
    avatar_url: str | None = None
    clear_avatar: bool = False


async def _existing(uow: IdentityUnitOfWork, user_id: UUID) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        # The token outlived its account (deleted in another session).
        raise Unauthenticated("Account no longer exists")
    return user


async def get_profile(user_id: UUID, uow: IdentityUnitOfWork) -> User:
    async with uow:
        return await _existing(uow, user_id)


async def update_profile(user_id: UUID, cmd: UpdateProfile, uow: IdentityUnitOfWork) -> User:
    name = clean_name(cmd.name) if cmd.name is not None else None
    avatar_url = clean_avatar_url(cmd.avatar_url)
    async with uow:
        user = await _existing(uow, user_id)
        if name is not None:
            user.name = name
        if cmd.clear_avatar:
            user.avatar_url = None
        elif avatar_url is not None:
            user.avatar_url = avatar_url
        user.updated_at = datetime.now(UTC)
        await uow.users.save(user)
        await uow.commit()
    return user


async def delete_account(claims: TokenClaims, uow: IdentityUnitOfWork, creds: Credentials) -> None:
    """Deletes the account with its login sessions, game history and results, in one
    transaction, and ends the caller's session at once."""
    async with uow:
        await _existing(uow, claims.user_id)
        await uow.users.delete(claims.user_id)
        await uow.outbox.add(events.user_deleted(claims.user_id))
        await uow.commit()
    await creds.revocations.revoke(claims.session_id, datetime.now(UTC) + creds.policy.access_ttl)
