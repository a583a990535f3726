"""A cache in Redis, shared by every replica; entries expire by themselves (SET with EX).

A cache is never the only copy of anything, so Redis being down degrades to misses and dropped
writes (logged) instead of failing the request that wanted a cached value."""

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class RedisCache:
    def __init__(self, redis: Redis, prefix: str = "parla:cache:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        try:
            value: bytes | None = await self._redis.get(self._prefix + key)
        except RedisError:
            logger.warning("Cache read failed; treated as a miss", exc_info=True)
            return None
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        try:
            if ttl_seconds > 0:
                await self._redis.set(self._prefix + key, value, ex=ttl_seconds)
            else:  # Redis rejects EX 0: an entry that expires at once replaces any older one
                await self._redis.delete(self._prefix + key)
        except RedisError:
            logger.warning("Cache write failed; dropped", exc_info=True)
