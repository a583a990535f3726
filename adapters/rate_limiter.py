"""The RateLimiter port on the `limits` library's moving window: in memory (one process) or
in Redis (every Gateway replica sharing the server counts together)."""

import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from domain.errors import ServiceUnavailable
from ports.rate_limits import Allowance, Rate

# Ahead of every key, so that the limits' keys in a shared Redis are known by their name.
KEY_PREFIX = "parla-rate"


class WindowRateLimiter:
    """A moving window: a request counts for exactly `window_seconds` after it was made, so
    no burst at a window's edge doubles a limit (as fixed windows allow). Redis runs each
    check and count as one Lua script, atomic across replicas."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)

    async def hit(self, rate: Rate, key: str) -> Allowance:
        item = RateLimitItemPerSecond(rate.amount, rate.window_seconds)
        try:
            allowed = await self._strategy.hit(item, key)
            stats = await self._strategy.get_window_stats(item, key)
        except Exception as exc:  # the storage's client raises its own errors
            raise ServiceUnavailable(f"The rate limiter's store is unavailable: {exc}") from exc
        # The moving window reports when its oldest request leaves it; whole seconds, at
        # least one when refused, as Retry-After takes them.
        reset = max(0.0, stats.reset_time - time.time())
        reset_seconds = math.ceil(reset) if allowed else max(1, math.ceil(reset))
        return Allowance(allowed, stats.remaining, reset_seconds)

    async def aclose(self) -> None:
        """Nothing of its own to close: a Redis connection pool belongs to its client."""


def in_memory_rate_limiter() -> WindowRateLimiter:
    return WindowRateLimiter(MemoryStorage())


def redis_rate_limiter(redis: Redis, url: str) -> WindowRateLimiter:
    """On the connection pool of `redis` (whose owner closes it); `url` is its address."""
    storage = RedisStorage(
        f"async+{url}",
        implementation="redispy",
        key_prefix=KEY_PREFIX,
        connection_pool=redis.connection_pool,
    )
    return WindowRateLimiter(storage)
