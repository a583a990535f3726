"""Contract of ports.cache.Cache, run against the in-process and the Redis adapter."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.memory.cache import InMemoryCache
from adapters.redis.cache import RedisCache
from adapters.redis.client import redis_client
from ports.cache import Cache
from tests.support.services import unavailable

REDIS_URL = "redis://127.0.0.1:6379/15"
EVERY_BYTE = bytes(range(256))


async def connected_redis() -> Redis:
    """The client the app builds (adapters.redis.client), once Redis answers."""
    redis = redis_client(REDIS_URL)
    try:
        await redis.ping()
    except RedisError as e:
        await redis.aclose()
        unavailable(f"Redis is not reachable at {REDIS_URL}: {e!r}")
    return redis


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        yield InMemoryCache()
        return
    redis = await connected_redis()
    yield RedisCache(redis, prefix=f"test:{uuid.uuid4().hex}:")
    await redis.aclose()


async def test_a_stored_value_is_read_back_byte_for_byte(cache: Cache) -> None:
    await cache.set("audio", EVERY_BYTE, 60)
    await cache.set("empty", b"", 60)

    assert await cache.get("audio") == EVERY_BYTE
    assert await cache.get("empty") == b""
    assert await cache.get("never-set") is None


async def test_setting_a_key_again_replaces_its_value(cache: Cache) -> None:
    await cache.set("greeting", b"hello", 60)
    await cache.set("greeting", b"hi", 60)

    assert await cache.get("greeting") == b"hi"


async def test_a_value_expires_after_its_time_to_live(cache: Cache) -> None:
    await cache.set("short", b"gone soon", 1)
    await cache.set("long", b"still here", 60)
    assert await cache.get("short") == b"gone soon"

    await asyncio.sleep(1.2)

    assert await cache.get("short") is None
    assert await cache.get("long") == b"still here"


async def test_a_value_without_time_to_live_is_not_kept(cache: Cache) -> None:
    await cache.set("key", b"old", 60)
    await cache.set("key", b"new", 0)

    assert await cache.get("key") is None


# In-process specifics: a budget in bytes, least recently used entries go first.


async def test_memory_cache_evicts_the_least_recently_used_entries_to_stay_in_budget() -> None:
    cache = InMemoryCache(max_bytes=30)
    await cache.set("a", b"x" * 10, 60)
    await cache.set("b", b"x" * 10, 60)
    await cache.set("c", b"x" * 10, 60)
    assert await cache.get("a") is not None  # "b" is now the least recently used

    await cache.set("d", b"x" * 15, 60)

    assert await cache.get("b") is None
    assert await cache.get("c") is None
    assert [await cache.get(k) for k in ("a", "d")] == [b"x" * 10, b"x" * 15]


async def test_memory_cache_drops_a_value_larger_than_its_budget() -> None:
    cache = InMemoryCache(max_bytes=10)
    await cache.set("small", b"12345", 60)

    await cache.set("huge", b"x" * 11, 60)

    assert await cache.get("huge") is None
    assert await cache.get("small") == b"12345"


async def test_memory_cache_frees_the_bytes_of_replaced_and_expired_values() -> None:
    now = [0.0]
    cache = InMemoryCache(max_bytes=20, clock=lambda: now[0])
    await cache.set("a", b"x" * 10, 5)
    await cache.set("a", b"x" * 10, 5)
    await cache.set("b", b"x" * 10, 60)
    assert await cache.get("a") is not None

    now[0] = 10.0
    assert await cache.get("a") is None
    await cache.set("c", b"x" * 10, 60)

    assert await cache.get("b") == b"x" * 10
    assert await cache.get("c") == b"x" * 10


# Redis specifics: shared between replicas, and an outage is a miss.


async def test_redis_cache_is_shared_between_instances() -> None:
    first, second = await connected_redis(), await connected_redis()
    prefix = f"test:{uuid.uuid4().hex}:"
    await RedisCache(first, prefix).set("lesson", b"cached", 60)

    assert await RedisCache(second, prefix).get("lesson") == b"cached"
    await first.aclose()
    await second.aclose()


async def test_redis_outage_is_a_miss_and_a_dropped_write() -> None:
    closed = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)
    cache = RedisCache(closed)

    await cache.set("key", b"value", 60)
    assert await cache.get("key") is None
    await closed.aclose()
