"""The Redis client every Redis adapter of a process shares."""

from redis.asyncio import BlockingConnectionPool, Redis

# redis-py's pool holds at most 100 connections by default and refuses a command past that
# ("Too many connections"): 1,000 idle sockets pinging at once, each ping counted against
# its rate limit, were refused 80% of the time. A blocking pool makes the burst wait for a
# free connection instead, up to POOL_WAIT_SECONDS.
MAX_CONNECTIONS = 100
POOL_WAIT_SECONDS = 10


def redis_client(url: str) -> Redis:
    """A client on a pool of its own, which it closes with itself (`aclose`)."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=POOL_WAIT_SECONDS
    )
    return Redis.from_pool(pool)
