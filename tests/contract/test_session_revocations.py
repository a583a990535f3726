"""Contract of SessionRevocations, run against the in-process and the Redis adapter."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.memory.revocations import InMemorySessionRevocations
from adapters.redis.revocations import RedisSessionRevocations
from domain.errors import ServiceUnavailable
from ports.identity import SessionRevocations
from tests.support.services import unavailable

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["memory", "redis"])
async def revocations(request: pytest.FixtureRequest) -> AsyncIterator[SessionRevocations]:
    if request.param == "memory":
        yield InMemorySessionRevocations()
        return
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except RedisError as e:
        await redis.aclose()
        unavailable(f"Redis is not reachable at {REDIS_URL}: {e!r}")
    yield RedisSessionRevocations(redis, prefix=f"test:{uuid.uuid4().hex}:")
    await redis.aclose()


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def test_a_revoked_session_is_revoked_and_others_are_not(revocations):
    session, other = uuid.uuid4(), uuid.uuid4()
    await revocations.revoke(session, soon(60))
    assert await revocations.is_revoked(session)
    assert not await revocations.is_revoked(other)


async def test_revocations_lapse_after_their_time(revocations):
    session = uuid.uuid4()
    await revocations.revoke(session, soon(-1))
    assert not await revocations.is_revoked(session)


async def test_revoking_twice_is_harmless(revocations):
    session = uuid.uuid4()
    await revocations.revoke(session, soon(60))
    await revocations.revoke(session, soon(120))
    assert await revocations.is_revoked(session)


async def test_redis_shares_revocations_between_instances():
    """What makes Redis right for several Gateway replicas: one replica's logout is seen by
    another."""
    first, second = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    try:
        await first.ping()
    except RedisError as e:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {e!r}")
    prefix = f"test:{uuid.uuid4().hex}:"
    session = uuid.uuid4()
    await RedisSessionRevocations(first, prefix).revoke(session, soon(60))
    assert await RedisSessionRevocations(second, prefix).is_revoked(session)
    await first.aclose()
    await second.aclose()


async def test_redis_outage_is_service_unavailable():
    closed = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    with pytest.raises(ServiceUnavailable):
        await RedisSessionRevocations(closed).is_revoked(uuid.uuid4())
    await closed.aclose()
