"""Use cases that read and add speech content."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.content.cache import CatalogueCache
from domain.errors import InvalidInput, NotFound
from ports.blobs import BlobStore
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechType, Tag
from ports.unit_of_work import ContentUnitOfWork

# Speeches stop at C1 (the seed's content scale); other contexts use the whole CEFR scale.
SPEECH_LEVELS = (CefrLevel.A1, CefrLevel.A2, CefrLevel.B1, CefrLevel.B2, CefrLevel.C1)
AUDIO_URL_LIFETIME = timedelta(hours=1)
MAX_PICK = 50
# The speeches a pick draws from, kept per filter: all that match, or a random selection of
# this many when more do (the demo catalogue has 100 to 140 per level and type).
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class PickSpeeches:
    level: CefrLevel
    type: SpeechType
    tag_ids: list[UUID]
    limit: int = 10


def check_speech_level(level: CefrLevel) -> None:
    if level not in SPEECH_LEVELS:
        raise InvalidInput(
            f"Invalid level '{level}'. Must be one of: {', '.join(SPEECH_LEVELS)}",
            {"field": "level"},
        )


def audio_url(speech: Speech, blobs: BlobStore) -> str:
    """A URL that plays the speech's audio for the next hour."""
    return blobs.signed_url(speech.audio_key, AUDIO_URL_LIFETIME)


async def pick_speeches(
    cmd: PickSpeeches,
    uow: ContentUnitOfWork,
    catalogue: CatalogueCache,
    render: Callable[[Speech], bytes],
) -> list[bytes]:
    """Random speeches of the level AND type AND any of the tags, each as `render` makes it.
    They are drawn from the speeches matching the filters, which the catalogue's cache keeps
    rendered for a few minutes; `render` must therefore give what stays valid that long (an
    audio URL signed for an hour is, for five minutes)."""
    check_speech_level(cmd.level)
    if not cmd.tag_ids:
        raise InvalidInput("tags must contain at least one tag id", {"field": "tags"})
    if not 1 <= cmd.limit <= MAX_PICK:
        raise InvalidInput(f"limit must be between 1 and {MAX_PICK}", {"field": "limit"})
    tag_ids = list(dict.fromkeys(cmd.tag_ids))

    async def matching() -> list[bytes]:
        async with uow:
            found = await uow.speeches.pick_random(cmd.level, cmd.type, tag_ids, MAX_CANDIDATES)
        return [render(speech) for speech in found]

    candidates = await catalogue.speech_candidates(cmd.level, cmd.type, tag_ids, matching)
    if not candidates:
        raise NotFound("No speeches match the filters")
    return random.sample(candidates, min(cmd.limit, len(candidates)))


@dataclass(frozen=True)
class CatalogEntry:
    """One speech to add: its audio is already stored under `audio_key`."""

    text: str
    level: CefrLevel
    type: SpeechType
    audio_key: str
    tag_names: list[str]


@dataclass(frozen=True)
class TagSpec:
    name: str
    category: str | None


async def add_to_catalog(
    entries: list[CatalogEntry], tags: list[TagSpec], uow: ContentUnitOfWork
) -> list[UUID]:
    """Adds speeches in one transaction, creating missing tags by name (`tags` gives their
    categories; a name used only by an entry gets no category). All or nothing."""
    for number, entry in enumerate(entries, start=1):
        if not entry.text.strip():
            raise InvalidInput(f"Entry {number} has no text", {"entry": number})
        check_speech_level(entry.level)
    categories = {t.name: t.category for t in tags}
    wanted = list(dict.fromkeys([t.name for t in tags] + [n for e in entries for n in e.tag_names]))
    now = datetime.now(UTC)
    async with uow:
        by_name = {t.name: t for t in await uow.tags.get_by_names(wanted)}
        for name in wanted:
            if name not in by_name:
                tag = Tag(id=uuid4(), name=name, category=categories.get(name), created_at=now)
                await uow.tags.add(tag)
                by_name[name] = tag
        ids = []
        for entry in entries:
            speech = Speech(
                id=uuid4(),
                text=entry.text.strip(),
                level=entry.level,
                type=entry.type,
                audio_key=entry.audio_key,
                created_at=now,
                updated_at=now,
                tags=[by_name[n] for n in dict.fromkeys(entry.tag_names)],
            )
            await uow.speeches.add(speech)
            ids.append(speech.id)
        await uow.commit()
    return ids


async def catalog_size(uow: ContentUnitOfWork) -> int:
    async with uow:
        return await uow.speeches.count()
