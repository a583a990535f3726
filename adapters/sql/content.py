"""Repositories of the content context over one AsyncSession."""

from collections import defaultdict
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_row, update_row
from adapters.sql.tables import SpeechRow, SpeechTagRow, TagRow
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechType, Tag


def _tag_values(tag: Tag) -> dict[str, Any]:
    # All that a save writes: a tag keeps its creation time.
    return column_values(tag, "name", "category")


# Portable "by category, then name" (PostgreSQL and SQLite disagree on where NULLs sort).
_TAG_ORDER = (TagRow.category.asc().nulls_last(), TagRow.name)


class SqlTagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, tag: Tag) -> None:
        await insert_row(self._session, "tag", to_row(TagRow, tag, **_tag_values(tag)))

    async def list_all(self) -> list[Tag]:
        return await self._list()

    async def get_many(self, tag_ids: list[UUID]) -> list[Tag]:
        return await self._list(TagRow.id.in_(tag_ids)) if tag_ids else []

    async def get_by_names(self, names: list[str]) -> list[Tag]:
        return await self._list(TagRow.name.in_(names)) if names else []

    async def get(self, tag_id: UUID) -> Tag | None:
        row = await self._session.get(TagRow, tag_id)
        return from_row(Tag, row) if row is not None else None

    async def save(self, tag: Tag) -> None:
        await update_row(self._session, "tag", TagRow, tag.id, _tag_values(tag))

    async def delete(self, tag_id: UUID) -> None:
        await self._session.execute(delete(TagRow).where(TagRow.id == tag_id))

    async def speech_counts(self) -> dict[UUID, int]:
        rows = await self._session.execute(
            select(SpeechTagRow.tag_id, func.count()).group_by(SpeechTagRow.tag_id)
        )
        return {tag_id: count for tag_id, count in rows.tuples()}

    async def _list(self, *conditions: Any) -> list[Tag]:
        rows = await self._session.scalars(select(TagRow).where(*conditions).order_by(*_TAG_ORDER))
        return [from_row(Tag, row) for row in rows]


def _speech(row: SpeechRow, tags: list[Tag]) -> Speech:
    return from_row(Speech, row, level=CefrLevel(row.level), type=SpeechType(row.type), tags=tags)


class SqlSpeechRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, speech: Speech) -> None:
        row = to_row(
            SpeechRow,
            speech,
            level=CefrLevel(speech.level).value,
            type=SpeechType(speech.type).value,
        )
        links = [
            SpeechTagRow(speech_id=speech.id, tag_id=tag_id)
            for tag_id in dict.fromkeys(tag.id for tag in speech.tags)
        ]
        await insert_row(self._session, "speech", row, links)

    async def pick_random(
        self, level: CefrLevel, type: SpeechType, tag_ids: list[UUID], limit: int
    ) -> list[Speech]:
        if not tag_ids or limit <= 0:
            return []
        tagged = (
            select(literal_column("1"))
            .where(SpeechTagRow.speech_id == SpeechRow.id, SpeechTagRow.tag_id.in_(tag_ids))
            .exists()
        )
        statement = (
            select(SpeechRow)
            .where(
                SpeechRow.level == CefrLevel(level).value,
                SpeechRow.type == SpeechType(type).value,
                tagged,
            )
            .order_by(func.random())
            .limit(limit)
        )
        return await self._with_tags(list(await self._session.scalars(statement)))

    async def get_many(self, speech_ids: list[UUID]) -> list[Speech]:
        if not speech_ids:
            return []
        rows = await self._session.scalars(select(SpeechRow).where(SpeechRow.id.in_(speech_ids)))
        return await self._with_tags(list(rows))

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(SpeechRow)) or 0

    async def _with_tags(self, rows: list[SpeechRow]) -> list[Speech]:
        """The speeches of `rows`, in that order, with their tags loaded by one query."""
        if not rows:
            return []
        statement = (
            select(SpeechTagRow.speech_id, TagRow)
            .join(TagRow, TagRow.id == SpeechTagRow.tag_id)
            .where(SpeechTagRow.speech_id.in_([row.id for row in rows]))
            .order_by(*_TAG_ORDER)
        )
        tags: defaultdict[UUID, list[Tag]] = defaultdict(list)
        for speech_id, tag_row in await self._session.execute(statement):
            tags[speech_id].append(from_row(Tag, tag_row))
        return [_speech(row, tags[row.id]) for row in rows]
