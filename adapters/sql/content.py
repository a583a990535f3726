"""Repositories of the content context over one AsyncSession."""

from collections import defaultdict
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, insert_rows, is_unique_violation, update_row
from adapters.sql.tables import (
    GameResultRow,
    SpeechRow,
    SpeechTagRow,
    TagRow,
    UploadBatchRow,
    UploadedFileRow,
)
from domain.errors import Conflict, NotFound
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechFilter, SpeechType, Tag, UploadBatch, UploadedAudio


def _tag_values(tag: Tag) -> dict[str, Any]:
    # All that a save writes: a tag keeps its creation time.
    return column_values(tag, "name", "category")


# The hot reads select the tables' columns (Core) rather than the mapped rows: rows as plain
# tuples, no ORM objects built and thrown away.
_TAGS, _SPEECHES, _SPEECH_TAGS = TagRow.__table__.c, SpeechRow.__table__.c, SpeechTagRow.__table__.c

# Portable "by category, then name" (PostgreSQL and SQLite disagree on where NULLs sort).
_TAG_ORDER = (_TAGS.category.asc().nulls_last(), _TAGS.name)


class SqlTagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.written = False  # the unit of work tells the catalogue's cache after a commit

    async def add(self, tag: Tag) -> None:
        self.written = True
        await insert_row(self._session, "tag", to_row(TagRow, tag, **_tag_values(tag)))

    async def list_all(self) -> list[Tag]:
        return await self._list()

    async def get_many(self, tag_ids: list[UUID]) -> list[Tag]:
        return await self._list(_TAGS.id.in_(tag_ids)) if tag_ids else []

    async def get_by_names(self, names: list[str]) -> list[Tag]:
        return await self._list(_TAGS.name.in_(names)) if names else []

    async def get(self, tag_id: UUID) -> Tag | None:
        row = await self._session.get(TagRow, tag_id)
        return from_row(Tag, row) if row is not None else None

    async def save(self, tag: Tag) -> None:
        self.written = True
        await update_row(self._session, "tag", TagRow, tag.id, _tag_values(tag))

    async def delete(self, tag_id: UUID) -> None:
        self.written = True
        await self._session.execute(delete(TagRow).where(TagRow.id == tag_id))

    async def speech_counts(self) -> dict[UUID, int]:
        rows = await self._session.execute(
            select(SpeechTagRow.tag_id, func.count()).group_by(SpeechTagRow.tag_id)
        )
        return {tag_id: count for tag_id, count in rows.tuples()}

    async def _list(self, *conditions: Any) -> list[Tag]:
        rows = await self._session.execute(
            select(TagRow.__table__).where(*conditions).order_by(*_TAG_ORDER)
        )
        return [Tag(row.id, row.name, row.category, row.created_at) for row in rows]


def _speech(row: Any, tags: list[Tag]) -> Speech:
    """A speech from a row of the speeches table (mapped or Core)."""
    return from_row(Speech, row, level=CefrLevel(row.level), type=SpeechType(row.type), tags=tags)


def _tag_links(speech: Speech) -> list[SpeechTagRow]:
    return [
        SpeechTagRow(speech_id=speech.id, tag_id=tag_id)
        for tag_id in dict.fromkeys(tag.id for tag in speech.tags)
    ]


def _speech_values(speech: Speech) -> dict[str, Any]:
    # All that a save writes: a speech keeps its creation time.
    return column_values(
        speech,
        "text",
        "audio_key",
        "updated_at",
        level=CefrLevel(speech.level).value,
        type=SpeechType(speech.type).value,
    )


def _like_pattern(term: str) -> str:
    """`term` as a LIKE pattern matching text that contains it, its wildcards taken
    literally (escaped with a backslash)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


class SqlSpeechRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.written = False  # the unit of work tells the catalogue's cache after a commit

    async def add(self, speech: Speech) -> None:
        self.written = True
        row = to_row(SpeechRow, speech, **_speech_values(speech))
        await insert_row(self._session, "speech", row, _tag_links(speech))

    async def add_many(self, speeches: list[Speech]) -> None:
        self.written = True
        await insert_rows(
            self._session,
            SpeechRow,
            [column_values(s, "id", "created_at", **_speech_values(s)) for s in speeches],
        )
        links = [
            column_values(link, "speech_id", "tag_id") for s in speeches for link in _tag_links(s)
        ]
        await insert_rows(self._session, SpeechTagRow, links)

    async def get(self, speech_id: UUID) -> Speech | None:
        found = await self.get_many([speech_id])
        return found[0] if found else None

    async def find(self, filter: SpeechFilter, offset: int, limit: int) -> tuple[list[Speech], int]:
        conditions: list[Any] = []
        if filter.level is not None:
            conditions.append(SpeechRow.level == CefrLevel(filter.level).value)
        if filter.type is not None:
            conditions.append(SpeechRow.type == SpeechType(filter.type).value)
        if filter.tag_id is not None:
            conditions.append(
                select(literal_column("1"))
                .where(SpeechTagRow.speech_id == SpeechRow.id, SpeechTagRow.tag_id == filter.tag_id)
                .exists()
            )
        if filter.search:
            # lower() on both sides: SQLite's LIKE ignores case for ASCII only, PostgreSQL's
            # not at all.
            conditions.append(
                func.lower(SpeechRow.text).like(_like_pattern(filter.search), escape="\\")
            )
        total = await self._session.scalar(
            select(func.count()).select_from(SpeechRow).where(*conditions)
        )
        rows = await self._session.scalars(
            select(SpeechRow)
            .where(*conditions)
            .order_by(SpeechRow.created_at.desc(), SpeechRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return await self._with_tags(list(rows)), total or 0

    async def save(self, speech: Speech) -> None:
        self.written = True
        await update_row(self._session, "speech", SpeechRow, speech.id, _speech_values(speech))
        await self._session.execute(delete(SpeechTagRow).where(SpeechTagRow.speech_id == speech.id))
        self._session.add_all(_tag_links(speech))
        await self._session.flush()

    async def delete(self, speech_id: UUID) -> None:
        self.written = True
        # Explicit rather than left to ON DELETE SET NULL: an engine may run SQLite without
        # foreign keys.
        await self._session.execute(
            update(GameResultRow).where(GameResultRow.speech_id == speech_id).values(speech_id=None)
        )
        await self._session.execute(delete(SpeechTagRow).where(SpeechTagRow.speech_id == speech_id))
        await self._session.execute(delete(SpeechRow).where(SpeechRow.id == speech_id))

    async def pick_random(
        self, level: CefrLevel, type: SpeechType, tag_ids: list[UUID], limit: int
    ) -> list[Speech]:
        if not tag_ids or limit <= 0:
            return []
        tagged = (
            select(literal_column("1"))
            .where(_SPEECH_TAGS.speech_id == _SPEECHES.id, _SPEECH_TAGS.tag_id.in_(tag_ids))
            .exists()
        )
        statement = (
            select(SpeechRow.__table__)
            .where(
                _SPEECHES.level == CefrLevel(level).value,
                _SPEECHES.type == SpeechType(type).value,
                tagged,
            )
            .order_by(func.random())
            .limit(limit)
        )
        return await self._with_tags(list(await self._session.execute(statement)))

    async def get_many(self, speech_ids: list[UUID]) -> list[Speech]:
        if not speech_ids:
            return []
        rows = await self._session.scalars(select(SpeechRow).where(SpeechRow.id.in_(speech_ids)))
        return await self._with_tags(list(rows))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(SpeechRow)) or 0

    async def _with_tags(self, rows: list[Any]) -> list[Speech]:
        """The speeches of `rows` (mapped or Core rows of the speeches table), in that order,
        with their tags loaded by one query."""
        if not rows:
            return []
        statement = (
            select(_SPEECH_TAGS.speech_id, _TAGS.id, _TAGS.name, _TAGS.category, _TAGS.created_at)
            .join_from(SpeechTagRow.__table__, TagRow.__table__, _TAGS.id == _SPEECH_TAGS.tag_id)
            .where(_SPEECH_TAGS.speech_id.in_([row.id for row in rows]))
            .order_by(*_TAG_ORDER)
        )
        tags: defaultdict[UUID, list[Tag]] = defaultdict(list)
        for speech_id, tag_id, name, category, created_at in await self._session.execute(statement):
            tags[speech_id].append(Tag(tag_id, name, category, created_at))
        return [_speech(row, tags[row.id]) for row in rows]


class SqlUploadBatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, batch: UploadBatch) -> None:
        await insert_row(self._session, "upload batch", to_row(UploadBatchRow, batch))
        await self.add_files(batch.files)

    async def add_files(self, files: list[UploadedAudio]) -> None:
        if not files:
            return
        batch_id = files[0].batch_id
        last = await self._session.scalar(
            select(func.max(UploadedFileRow.position)).where(UploadedFileRow.batch_id == batch_id)
        )
        start = 0 if last is None else last + 1
        rows = [to_row(UploadedFileRow, f, position=start + n) for n, f in enumerate(files)]
        try:
            async with self._session.begin_nested():
                self._session.add_all(rows)
                await self._session.flush()
        except IntegrityError as error:
            if is_unique_violation(error):
                raise Conflict("uploaded file already exists") from error
            raise NotFound("upload batch not found") from error

    async def get(self, batch_id: UUID) -> UploadBatch | None:
        row = await self._session.get(UploadBatchRow, batch_id)
        return (await self._with_files([row]))[0] if row is not None else None

    async def expired(self, now: datetime, limit: int) -> list[UploadBatch]:
        rows = await self._session.scalars(
            select(UploadBatchRow)
            .where(UploadBatchRow.expires_at <= now)
            .order_by(UploadBatchRow.expires_at)
            .limit(limit)
        )
        return await self._with_files(list(rows))

    async def delete(self, batch_id: UUID) -> None:
        await self._session.execute(
            delete(UploadedFileRow).where(UploadedFileRow.batch_id == batch_id)
        )
        await self._session.execute(delete(UploadBatchRow).where(UploadBatchRow.id == batch_id))

    async def _with_files(self, rows: list[UploadBatchRow]) -> list[UploadBatch]:
        if not rows:
            return []
        files: defaultdict[UUID, list[UploadedAudio]] = defaultdict(list)
        statement = (
            select(UploadedFileRow)
            .where(UploadedFileRow.batch_id.in_([row.id for row in rows]))
            .order_by(UploadedFileRow.position)
        )
        for file in await self._session.scalars(statement):
            files[file.batch_id].append(from_row(UploadedAudio, file))
        return [from_row(UploadBatch, row, files=files[row.id]) for row in rows]
