"""The catalogue's cached reads (004's caching strategy): the tag list for an hour, the speeches
matching a random pick's filters for five minutes, both through the Cache port (Redis when
set, so that every replica shares them).

Every key carries the catalogue's generation, a random value kept in the cache itself. A
commit that changes tags or speeches replaces it (`changed`, called by the unit of work after
the commit, before the admin gets an answer), so the next read on any replica sharing the
cache misses and reads the database: an admin edit shows at once. A reader that loaded the
old catalogue just before the change stores its value under the old generation, where nobody
looks again; the entries left there expire by themselves."""

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from uuid import UUID

from ports.cache import Cache
from ports.cefr import CefrLevel
from ports.content import SpeechType

TAG_LIST_SECONDS = 3600
SPEECH_CANDIDATES_SECONDS = 300
# Longer than any entry lives: a generation that expires only costs one miss per entry.
GENERATION_SECONDS = 24 * 3600
GENERATION_KEY = "catalogue:generation"

Load = Callable[[], Awaitable[bytes]]


def _pack(items: list[bytes]) -> bytes:
    return b"".join(len(item).to_bytes(4, "big") + item for item in items)


def _unpack(value: bytes) -> list[bytes]:
    items, at = [], 0
    while at < len(value):
        size = int.from_bytes(value[at : at + 4], "big")
        items.append(value[at + 4 : at + 4 + size])
        at += 4 + size
    return items


class CatalogueCache:
    """What readers of the catalogue keep, as the bytes the caller renders (a response body,
    or one item of one), so that a hit costs no database, no signing and no serializing."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    async def tag_list(self, load: Load) -> bytes:
        """The tag list as `load` renders it, from the cache when it holds it."""
        return await self._read("tags", TAG_LIST_SECONDS, load)

    async def speech_candidates(
        self,
        level: CefrLevel,
        type: SpeechType,
        tag_ids: list[UUID],
        load: Callable[[], Awaitable[list[bytes]]],
    ) -> list[bytes]:
        """The speeches matching these filters, one item each as `load` renders them. The
        tags are a set: their order and repeats do not change the key."""
        tags = hashlib.sha256(",".join(sorted({str(t) for t in tag_ids})).encode()).hexdigest()

        async def packed() -> bytes:
            return _pack(await load())

        key = f"speeches:{level.value}:{type.value}:{tags[:32]}"
        return _unpack(await self._read(key, SPEECH_CANDIDATES_SECONDS, packed))

    async def changed(self) -> None:
        """The catalogue changed: every entry kept so far is stale."""
        await self._cache.set(GENERATION_KEY, secrets.token_hex(8).encode(), GENERATION_SECONDS)

    async def _read(self, name: str, ttl_seconds: int, load: Load) -> bytes:
        # The generation is read before the database is: see the module's docstring.
        key = f"catalogue:{(await self._generation()).decode()}:{name}"
        if (hit := await self._cache.get(key)) is not None:
            return hit
        value = await load()
        await self._cache.set(key, value, ttl_seconds)
        return value

    async def _generation(self) -> bytes:
        """The current generation; a fresh one when the cache holds none (never cached, or
        evicted: a value used before could hide entries written under it)."""
        if (generation := await self._cache.get(GENERATION_KEY)) is not None:
            return generation
        generation = secrets.token_hex(8).encode()
        await self._cache.set(GENERATION_KEY, generation, GENERATION_SECONDS)
        return generation
