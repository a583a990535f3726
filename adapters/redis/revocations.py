"""Session revocations in Redis, shared by every Gateway replica; keys expire by themselves."""

import math
import time
from datetime import datetime
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.errors import ServiceUnavailable


class RedisSessionRevocations:
    def __init__(self, redis: Redis, prefix: str = "parla:revoked-session:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def revoke(self, session_id: UUID, until: datetime) -> None:
        ttl = math.ceil(until.timestamp() - time.time())
        if ttl <= 0:
            return
        try:
            await self._redis.set(self._prefix + str(session_id), b"1", ex=ttl)
        except RedisError as e:
            raise ServiceUnavailable("Session store is unavailable") from e

    async def is_revoked(self, session_id: UUID) -> bool:
        try:
            return bool(await self._redis.exists(self._prefix + str(session_id)))
        except RedisError as e:
            raise ServiceUnavailable("Session store is unavailable") from e
