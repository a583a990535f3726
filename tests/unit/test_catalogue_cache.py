"""domain.content.cache: what the catalogue's readers keep, and what makes it stale."""

import uuid

import pytest

from adapters.memory.cache import InMemoryCache
from domain.content.cache import GENERATION_KEY, CatalogueCache
from ports.cefr import CefrLevel
from ports.content import SpeechType

pytestmark = pytest.mark.asyncio
FOOD, TRAVEL = uuid.uuid4(), uuid.uuid4()


class Loads:
    """A loader that renders what the catalogue holds now, and counts its calls."""

    def __init__(self, *items: bytes) -> None:
        self.items, self.calls = list(items), 0

    async def __call__(self) -> list[bytes]:
        self.calls += 1
        return list(self.items)

    async def joined(self) -> bytes:
        return b"|".join(await self())


async def test_a_tag_list_is_loaded_once_until_the_catalogue_changes() -> None:
    catalogue, load = CatalogueCache(InMemoryCache()), Loads(b"food", b"travel")
    assert await catalogue.tag_list(load.joined) == b"food|travel"
    assert await catalogue.tag_list(load.joined) == b"food|travel"
    assert load.calls == 1

    load.items.append(b"weather")
    await catalogue.changed()
    assert await catalogue.tag_list(load.joined) == b"food|travel|weather"
    assert load.calls == 2


async def test_candidates_are_kept_per_filter_whatever_the_tags_order() -> None:
    catalogue = CatalogueCache(InMemoryCache())
    both, food = Loads(b'{"id":1}', b"", b"\x00\n,"), Loads()

    got = await catalogue.speech_candidates(CefrLevel.A1, SpeechType.ANSWER, [FOOD, TRAVEL], both)
    assert got == [b'{"id":1}', b"", b"\x00\n,"]
    again = await catalogue.speech_candidates(
        CefrLevel.A1, SpeechType.ANSWER, [TRAVEL, FOOD, TRAVEL], both
    )
    assert again == got and both.calls == 1
    assert await catalogue.speech_candidates(CefrLevel.A1, SpeechType.ANSWER, [FOOD], food) == []
    assert await catalogue.speech_candidates(CefrLevel.A2, SpeechType.ANSWER, [FOOD], food) == []
    assert food.calls == 2


async def test_a_value_loaded_before_a_change_is_never_read_after_it() -> None:
    catalogue = CatalogueCache(InMemoryCache())
    load = Loads(b"old")

    async def changed_while_loading() -> list[bytes]:
        stale = await load()
        await catalogue.changed()  # an admin commits while this reader is loading
        load.items = [b"new"]
        return stale

    level, type = CefrLevel.B1, SpeechType.QUESTION
    assert await catalogue.speech_candidates(level, type, [FOOD], changed_while_loading) == [b"old"]
    assert await catalogue.speech_candidates(level, type, [FOOD], load) == [b"new"]


async def test_a_lost_generation_is_replaced_by_a_new_one() -> None:
    cache = InMemoryCache()
    catalogue, load = CatalogueCache(cache), Loads(b"first")
    await catalogue.tag_list(load.joined)
    await cache.set(GENERATION_KEY, b"", 0)  # evicted, or expired

    load.items = [b"second"]
    assert await catalogue.tag_list(load.joined) == b"second"
