"""Contract of ports.rate_limits.RateLimiter, run against the in-memory and the Redis
adapter; two limiters on one Redis count together, as two Gateway replicas do."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from adapters.rate_limiter import in_memory_rate_limiter, redis_rate_limiter
from adapters.redis.client import MAX_CONNECTIONS
from domain.errors import ServiceUnavailable
from ports.rate_limits import Rate, RateLimiter
from tests.contract.test_cache import REDIS_URL, connected_redis


@pytest.fixture
def key() -> str:
    """A key of this test's own, as the Redis server outlives the test."""
    return f"test:{uuid.uuid4().hex}"


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield in_memory_rate_limiter()
        return
    redis = await connected_redis()
    yield redis_rate_limiter(redis, REDIS_URL)
    await redis.aclose()


async def test_a_window_takes_its_amount_then_refuses(limiter: RateLimiter, key: str) -> None:
    rate = Rate(3, 60)
    answers = [await limiter.hit(rate, key) for _ in range(4)]

    assert [a.allowed for a in answers] == [True, True, True, False]
    assert [a.remaining for a in answers] == [2, 1, 0, 0]
    assert 58 <= answers[-1].reset_seconds <= 60


async def test_keys_and_rates_are_counted_apart(limiter: RateLimiter, key: str) -> None:
    assert (await limiter.hit(Rate(1, 60), key)).allowed
    assert (await limiter.hit(Rate(1, 60), f"{key}:other")).allowed
    assert (await limiter.hit(Rate(2, 60), key)).allowed
    assert not (await limiter.hit(Rate(1, 60), key)).allowed


async def test_a_refused_request_is_not_counted_and_the_window_moves(
    limiter: RateLimiter, key: str
) -> None:
    rate = Rate(2, 1)
    assert (await limiter.hit(rate, key)).allowed
    await asyncio.sleep(0.5)
    assert (await limiter.hit(rate, key)).allowed
    refused = await limiter.hit(rate, key)
    assert not refused.allowed and refused.reset_seconds == 1
    await asyncio.sleep(0.6)  # the first request has left the window, the second has not
    assert (await limiter.hit(rate, key)).allowed
    assert not (await limiter.hit(rate, key)).allowed


async def test_a_burst_past_the_connection_pool_is_answered(limiter: RateLimiter) -> None:
    """As when 1,000 idle sockets are pinged at once: ten times the Redis client's pool."""
    rate = Rate(10_000, 60)
    keys = [f"test:{uuid.uuid4().hex}" for _ in range(10)]
    answers = await asyncio.gather(
        *(limiter.hit(rate, keys[n % 10]) for n in range(10 * MAX_CONNECTIONS))
    )
    assert all(a.allowed for a in answers)


async def test_two_limiters_on_one_redis_share_their_counts(key: str) -> None:
    first, second = await connected_redis(), Redis.from_url(REDIS_URL)
    try:
        replicas = [redis_rate_limiter(first, REDIS_URL), redis_rate_limiter(second, REDIS_URL)]
        answers = [await replicas[n % 2].hit(Rate(3, 60), key) for n in range(4)]
    finally:
        await first.aclose()
        await second.aclose()
    assert [a.allowed for a in answers] == [True, True, True, False]


async def test_an_unreachable_redis_is_service_unavailable(key: str) -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(ServiceUnavailable):
            await redis_rate_limiter(redis, "redis://127.0.0.1:1/0").hit(Rate(1, 60), key)
    finally:
        await redis.aclose()
