"""A cache held in this process (one replica): the embedded default when no Redis is set.

Bounded by the bytes of its values, so a burst of large entries (synthesized audio) cannot
grow the process without limit; the least recently used entries make room for new ones.
Not thread-safe: use it from one event loop, as every async adapter is."""

import time
from collections import OrderedDict
from collections.abc import Callable

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class InMemoryCache:
    def __init__(
        self, max_bytes: int = DEFAULT_MAX_BYTES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._max_bytes = max_bytes
        self._clock = clock
        # key -> (value, expiry on self._clock); the order is least recently used first.
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._bytes = 0

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at <= self._clock():
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        if key in self._entries:
            self._remove(key)
        if ttl_seconds <= 0 or len(value) > self._max_bytes:
            return  # dropped, as the port allows: it would never be read back
        self._make_room(len(value))
        self._entries[key] = (value, self._clock() + ttl_seconds)
        self._bytes += len(value)

    def _make_room(self, size: int) -> None:
        """Evicts least recently used entries until `size` bytes fit. Expired entries go when
        they are read or reach the front: no scan of the whole cache on every write."""
        while self._bytes + size > self._max_bytes:
            self._remove(next(iter(self._entries)))

    def _remove(self, key: str) -> None:
        value, _ = self._entries.pop(key)
        self._bytes -= len(value)
