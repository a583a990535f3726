"""Ports of the content context: tags and speeches (sentences with reference audio)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from ports.cefr import CefrLevel


class SpeechType(StrEnum):
    QUESTION = "question"
    ANSWER = "answer"


@dataclass(frozen=True)
class Tag:
    id: UUID
    name: str
    category: str | None
    created_at: datetime


@dataclass
class Speech:
    id: UUID
    text: str
    level: CefrLevel
    type: SpeechType
    audio_key: str
    created_at: datetime
    updated_at: datetime
    tags: list[Tag] = field(default_factory=list)


@dataclass(frozen=True)
class SpeechFilter:
    """None matches anything; `search` matches text containing it, whatever the case."""

    level: CefrLevel | None = None
    type: SpeechType | None = None
    tag_id: UUID | None = None
    search: str | None = None


@dataclass(frozen=True)
class UploadedAudio:
    """An audio file waiting in an upload batch for the CSV that names it."""

    id: UUID
    batch_id: UUID
    original_filename: str
    stored_name: str
    """The name a CSV refers to it by: the original, or `name_1.mp3`... when taken."""
    audio_key: str
    content_type: str
    size_bytes: int


@dataclass
class UploadBatch:
    id: UUID
    actor_id: UUID
    created_at: datetime
    expires_at: datetime
    files: list[UploadedAudio] = field(default_factory=list)


class TagRepository(Protocol):
    async def add(self, tag: Tag) -> None: ...

    async def list_all(self) -> list[Tag]:
        """Ordered by category, then name."""

    async def get_many(self, tag_ids: list[UUID]) -> list[Tag]: ...

    async def get_by_names(self, names: list[str]) -> list[Tag]: ...

    async def get(self, tag_id: UUID) -> Tag | None: ...

    async def save(self, tag: Tag) -> None:
        """Updates name and category; Conflict when the name is taken."""

    async def delete(self, tag_id: UUID) -> None: ...

    async def speech_counts(self) -> dict[UUID, int]:
        """How many speeches carry each tag (tags on no speech are absent)."""


class SpeechRepository(Protocol):
    async def add(self, speech: Speech) -> None:
        """Stores the speech with its tag links."""

    async def add_many(self, speeches: list[Speech]) -> None:
        """Stores new speeches (ids never used) with their tag links, in one round trip."""

    async def pick_random(
        self, level: CefrLevel, type: SpeechType, tag_ids: list[UUID], limit: int
    ) -> list[Speech]:
        """Speeches of that level AND type AND any of the tags, in random order, with tags."""

    async def get_many(self, speech_ids: list[UUID]) -> list[Speech]:
        """The speeches among `speech_ids` that exist, with their tags (any order)."""

    async def count(self) -> int: ...

    async def get(self, speech_id: UUID) -> Speech | None:
        """The speech with its tags."""

    async def find(self, filter: SpeechFilter, offset: int, limit: int) -> tuple[list[Speech], int]:
        """One page of the speeches matching `filter`, newest first (then by id), with
        their tags, and how many match."""

    async def save(self, speech: Speech) -> None:
        """Updates text, level, type, audio key and updated_at, and replaces the tag links
        with the speech's tags; NotFound when it is gone."""

    async def delete(self, speech_id: UUID) -> None:
        """Removes the speech and its tag links; game results that played it are kept, with
        no speech. Deleting an unknown id is not an error."""


class UploadBatchRepository(Protocol):
    async def add(self, batch: UploadBatch) -> None:
        """Stores the batch and its files."""

    async def add_files(self, files: list[UploadedAudio]) -> None:
        """Adds files to their (stored) batch; Conflict when a stored name is taken."""

    async def get(self, batch_id: UUID) -> UploadBatch | None:
        """The batch with its files, in the order they were added."""

    async def expired(self, now: datetime, limit: int) -> list[UploadBatch]:
        """Up to `limit` batches whose `expires_at` is not after `now`, with their files."""

    async def delete(self, batch_id: UUID) -> None:
        """Removes the batch and its files' records (not the blobs)."""
