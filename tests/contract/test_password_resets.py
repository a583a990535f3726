"""The persistence contract of password resets, and of ending every login session of an
account, on every SQL database we support and in memory."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.errors import Conflict
from ports.identity import LoginSession, PasswordReset
from tests.contract.conftest import UowFactory
from tests.contract.test_messaging_repositories import users

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def reset(user_id: UUID, token_hash: str) -> PasswordReset:
    return PasswordReset(uuid4(), user_id, token_hash, NOW + timedelta(minutes=30), NOW)


async def test_a_reset_is_found_by_its_token_hash_and_used_once(uow_factory: UowFactory):
    ana, ben = await users(uow_factory, 2)
    first, second, bens = reset(ana, "a" * 64), reset(ana, "b" * 64), reset(ben, "c" * 64)
    async with uow_factory() as uow:
        for made in (first, second, bens):
            await uow.password_resets.add(made)
        await uow.commit()

    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.password_resets.add(reset(ben, "a" * 64))
        assert await uow.password_resets.get_by_token_hash("a" * 64) == first
        assert await uow.password_resets.get_by_token_hash("d" * 64) is None
        assert await uow.password_resets.use(first, LATER) is True
        await uow.commit()

    async with uow_factory() as uow:
        # Using one reset spends the account's others; another account's stays.
        assert await uow.password_resets.get_by_token_hash("b" * 64) == replace(
            second, used_at=LATER
        )
        assert (await uow.password_resets.get_by_token_hash("c" * 64)).used_at is None
        assert await uow.password_resets.use(first, LATER + timedelta(minutes=1)) is False
        assert await uow.password_resets.use(second, LATER) is False
    async with uow_factory() as uow:
        assert (await uow.password_resets.get_by_token_hash("a" * 64)).used_at == LATER


async def test_ending_every_session_leaves_ended_ones_and_other_accounts(
    uow_factory: UowFactory,
):
    ana, ben = await users(uow_factory, 2)
    expires = NOW + timedelta(days=30)
    open_one = LoginSession(uuid4(), ana, "jti-1", expires, NOW)
    ended = LoginSession(uuid4(), ana, "jti-2", expires, NOW, revoked_at=NOW)
    bens = LoginSession(uuid4(), ben, "jti-3", expires, NOW)
    async with uow_factory() as uow:
        for session in (open_one, ended, bens):
            await uow.login_sessions.add(session)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.login_sessions.end_all(ana, LATER) == [open_one.id]
        await uow.commit()

    async with uow_factory() as uow:
        assert (await uow.login_sessions.get(open_one.id)).revoked_at == LATER
        assert (await uow.login_sessions.get(ended.id)).revoked_at == NOW
        assert (await uow.login_sessions.get(bens.id)).revoked_at is None
        assert await uow.login_sessions.end_all(ana, LATER) == []
