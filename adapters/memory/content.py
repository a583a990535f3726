"""Repositories of the content context over the in-memory tables."""

import random
from collections import Counter
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from adapters.memory.tables import Tables, delete_where, insert, loaded, page, update
from domain.errors import NotFound
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechFilter, SpeechType, Tag, UploadBatch, UploadedAudio


def _tag_order(tag: Tag) -> tuple[bool, str, str]:
    """By category (tags without one last), then name."""
    return tag.category is None, tag.category or "", tag.name


def _name(tag: Tag) -> str:
    return tag.name


class InMemoryTagRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, tag: Tag) -> None:
        insert(self._tables.tags, tag.id, tag, "tag", _name)

    async def list_all(self) -> list[Tag]:
        return sorted(loaded(list(self._tables.tags.values())), key=_tag_order)

    async def get_many(self, tag_ids: list[UUID]) -> list[Tag]:
        return [tag for tag in await self.list_all() if tag.id in tag_ids]

    async def get_by_names(self, names: list[str]) -> list[Tag]:
        return [tag for tag in await self.list_all() if tag.name in names]

    async def get(self, tag_id: UUID) -> Tag | None:
        return loaded(self._tables.tags.get(tag_id))

    async def save(self, tag: Tag) -> None:
        update(self._tables.tags, tag.id, tag, "tag", _name, keep=("created_at",))

    async def delete(self, tag_id: UUID) -> None:
        self._tables.tags.pop(tag_id, None)
        links = self._tables.speech_tags
        for link in [link for link in links if link[1] == tag_id]:
            del links[link]

    async def speech_counts(self) -> dict[UUID, int]:
        return dict(Counter(tag_id for _, tag_id in self._tables.speech_tags))


class InMemorySpeechRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, speech: Speech) -> None:
        insert(self._tables.speeches, speech.id, replace(speech, tags=[]), "speech")
        self._tables.speech_tags.update({(speech.id, tag.id): None for tag in speech.tags})

    async def add_many(self, speeches: list[Speech]) -> None:
        for speech in speeches:
            await self.add(speech)

    async def pick_random(
        self, level: CefrLevel, type: SpeechType, tag_ids: list[UUID], limit: int
    ) -> list[Speech]:
        tagged = {speech_id for speech_id, tag_id in self._tables.speech_tags if tag_id in tag_ids}
        matching = [
            speech
            for speech in self._tables.speeches.values()
            if speech.level == level and speech.type == type and speech.id in tagged
        ]
        return self._with_tags(random.sample(matching, min(max(limit, 0), len(matching))))

    async def get_many(self, speech_ids: list[UUID]) -> list[Speech]:
        speeches = self._tables.speeches
        return self._with_tags([speeches[i] for i in dict.fromkeys(speech_ids) if i in speeches])

    async def count(self) -> int:
        return len(self._tables.speeches)

    async def get(self, speech_id: UUID) -> Speech | None:
        found = await self.get_many([speech_id])
        return found[0] if found else None

    async def find(self, filter: SpeechFilter, offset: int, limit: int) -> tuple[list[Speech], int]:
        links = self._tables.speech_tags
        search = filter.search.casefold() if filter.search else None
        matching = [
            speech
            for speech in self._tables.speeches.values()
            if filter.level in (None, speech.level)
            and filter.type in (None, speech.type)
            and (filter.tag_id is None or (speech.id, filter.tag_id) in links)
            and (search is None or search in speech.text.casefold())
        ]
        matching.sort(key=lambda speech: (speech.created_at, speech.id), reverse=True)
        return self._with_tags(page(matching, offset, limit)), len(matching)

    async def save(self, speech: Speech) -> None:
        update(
            self._tables.speeches,
            speech.id,
            replace(speech, tags=[]),
            "speech",
            keep=("created_at",),
        )
        links = self._tables.speech_tags
        for link in [link for link in links if link[0] == speech.id]:
            del links[link]
        links.update({(speech.id, tag.id): None for tag in speech.tags})

    async def delete(self, speech_id: UUID) -> None:
        if self._tables.speeches.pop(speech_id, None) is None:
            return
        links = self._tables.speech_tags
        for link in [link for link in links if link[0] == speech_id]:
            del links[link]
        # Results that played it are kept without it, as SQL's ON DELETE SET NULL keeps them.
        sessions = self._tables.game_sessions
        for key, session in sessions.items():
            if any(result.speech_id == speech_id for result in session.results):
                results = [
                    replace(r, speech_id=None) if r.speech_id == speech_id else r
                    for r in session.results
                ]
                sessions[key] = replace(session, results=results)

    def _with_tags(self, speeches: list[Speech]) -> list[Speech]:
        tags = sorted(self._tables.tags.values(), key=_tag_order)
        links = self._tables.speech_tags
        return [
            loaded(replace(speech, tags=[tag for tag in tags if (speech.id, tag.id) in links]))
            for speech in speeches
        ]


class InMemoryUploadBatchRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, batch: UploadBatch) -> None:
        insert(self._tables.upload_batches, batch.id, replace(batch, files=[]), "upload batch")
        await self.add_files(batch.files)

    async def add_files(self, files: list[UploadedAudio]) -> None:
        for file in files:
            if file.batch_id not in self._tables.upload_batches:
                raise NotFound("upload batch not found")
            insert(
                self._tables.uploaded_files,
                file.id,
                file,
                "uploaded file",
                lambda f: (f.batch_id, f.stored_name),
            )

    async def get(self, batch_id: UUID) -> UploadBatch | None:
        batch = self._tables.upload_batches.get(batch_id)
        return self._with_files(batch) if batch is not None else None

    async def expired(self, now: datetime, limit: int) -> list[UploadBatch]:
        batches = [b for b in self._tables.upload_batches.values() if b.expires_at <= now]
        batches.sort(key=lambda b: b.expires_at)
        return [self._with_files(b) for b in batches[: max(limit, 0)]]

    async def delete(self, batch_id: UUID) -> None:
        self._tables.upload_batches.pop(batch_id, None)
        delete_where(self._tables.uploaded_files, lambda f: f.batch_id == batch_id)

    def _with_files(self, batch: UploadBatch) -> UploadBatch:
        # Dicts keep insertion order: the files in the order they were added.
        files = [f for f in self._tables.uploaded_files.values() if f.batch_id == batch.id]
        return loaded(replace(batch, files=files))
