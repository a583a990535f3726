"""Password reset's use cases over the in-memory unit of work: the code's life, its single
use, and that a refused reset writes nothing."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from adapters.identity.argon2_passwords import Argon2PasswordHasher
from adapters.identity.jwt_tokens import JwtTokenCodec
from adapters.memory.revocations import InMemorySessionRevocations
from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.errors import InvalidInput
from domain.identity.authentication import Credentials
from domain.identity.password_reset import (
    RESET_TTL,
    ResetMail,
    request_password_reset,
    reset_password,
)
from domain.identity.tokens import TokenPolicy
from tests.support.memory import given, learner

NOW = datetime(2025, 12, 10, 9, tzinfo=UTC)
CODE_ONLY = ResetMail()


@pytest.fixture
def credentials() -> Credentials:
    return Credentials(
        hasher=Argon2PasswordHasher(time_cost=1, memory_cost=1024),
        codec=JwtTokenCodec("s" * 32),
        revocations=InMemorySessionRevocations(),
        policy=TokenPolicy(),
    )


async def requested(database: InMemoryDatabase, how: ResetMail = CODE_ONLY):
    ana = learner()
    await given(database, ana)
    mail = await request_password_reset(ana.email, how, InMemoryUnitOfWork(database), NOW)
    assert mail is not None and mail.to == ana.email
    code = re.search(r"Your reset code: (\S+)", mail.text).group(1)
    return ana, mail, code


async def password_of(database: InMemoryDatabase, user_id) -> str | None:
    async with InMemoryUnitOfWork(database) as uow:
        return (await uow.users.get(user_id)).password_hash


async def test_no_mail_for_an_address_without_an_account_or_a_password():
    database = InMemoryDatabase()
    social = learner()
    social.password_hash = None
    await given(database, social)
    uow = InMemoryUnitOfWork(database)

    assert await request_password_reset("nobody@example.com", ResetMail(), uow) is None
    assert await request_password_reset(social.email, ResetMail(), uow) is None
    assert database.tables.password_resets == {}


async def test_the_mail_links_the_clients_page_when_there_is_one():
    _, mail, code = await requested(InMemoryDatabase(), ResetMail("https://app.test/reset"))
    assert f"https://app.test/reset?token={code}" in mail.text
    _, plain, _ = await requested(InMemoryDatabase())
    assert "http" not in plain.text


async def test_an_expired_code_is_refused_and_writes_nothing(credentials):
    database = InMemoryDatabase()
    ana, _, code = await requested(database)
    before = await password_of(database, ana.id)

    with pytest.raises(InvalidInput):
        await reset_password(
            code, "NewPassword1", InMemoryUnitOfWork(database), credentials, NOW + RESET_TTL
        )

    assert await password_of(database, ana.id) == before
    assert all(r.used_at is None for r in database.tables.password_resets.values())


async def test_a_code_works_once_within_its_life_and_spends_the_others(credentials):
    database = InMemoryDatabase()
    ana, _, code = await requested(database)
    later = await request_password_reset(ana.email, ResetMail(), InMemoryUnitOfWork(database), NOW)
    just_in_time = NOW + RESET_TTL - timedelta(seconds=1)

    await reset_password(
        code, "NewPassword1", InMemoryUnitOfWork(database), credentials, just_in_time
    )
    changed = await password_of(database, ana.id)

    other_code = re.search(r"Your reset code: (\S+)", later.text).group(1)
    for used in (code, other_code):
        with pytest.raises(InvalidInput):
            await reset_password(
                used, "Another789x", InMemoryUnitOfWork(database), credentials, just_in_time
            )
    assert await password_of(database, ana.id) == changed
    assert await credentials.hasher.verify(changed, "NewPassword1")
