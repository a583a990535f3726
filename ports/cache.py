"""The cache port: bytes by key with a time to live (memory by default, Redis when set)."""

from typing import Protocol


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Stores `value`; a cache that cannot store it (full, down) drops it silently:
        a cache is never the only copy of anything."""
