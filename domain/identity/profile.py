"""Use cases on the signed-in user's own account."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.errors import Unauthenticated
from domain.identity import events
from domain.identity.authentication import Credentials
from domain.identity.rules import clean_avatar_url, clean_name
from domain.messaging.messages import delete_files, erase
from ports.blobs import BlobStore
from ports.identity import TokenClaims, User
from ports.unit_of_work import IdentityUnitOfWork, UnitOfWork


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


async def delete_account(
    claims: TokenClaims, uow: UnitOfWork, creds: Credentials, blobs: BlobStore
) -> None:
    """Deletes the account with its login sessions, game history and results, in one
    transaction, and ends the caller's session at once.

    The files the user uploaded go too, from group conversations as well as direct ones: a
    file is the uploader's own data, and the account's deletion is the user asking for it
    all to go. The other participants keep the user's text messages (without a sender, as
    before) and see each file message as deleted, as if the user had deleted it."""
    async with uow:
        await _existing(uow, claims.user_id)
        files = await uow.messages.files(sender_id=claims.user_id)
        for message in files:
            await erase(message, uow)
        await uow.users.delete(claims.user_id)
        await uow.outbox.add(events.user_deleted(claims.user_id))
        await uow.commit()
    await delete_files(files, blobs)
    await creds.revocations.revoke(claims.session_id, datetime.now(UTC) + creds.policy.access_ttl)
