"""Use cases of the admin's catalogue: listing, reading, creating, changing and deleting
speeches, each write recorded in the audit log in its own transaction."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.audit.log import record
from domain.content.rules import (
    ADMIN_PAGE_SIZE,
    CATALOGUE_AUDIO,
    UPLOADS,
    catalogue_key,
    clean_search,
    clean_speech_text,
)
from domain.content.speeches import check_speech_level
from domain.errors import InvalidInput, NotFound
from domain.paging import Page, page_offset
from ports.audit import AuditAction
from ports.blobs import BlobStore
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechFilter, SpeechType, Tag
from ports.unit_of_work import ContentAdminUnitOfWork, ContentUnitOfWork

SPEECH = "speech"


@dataclass(frozen=True)
class NewSpeech:
    """Its audio is named by exactly one of `audio_key` and `audio_url`."""

    text: str
    level: CefrLevel
    type: SpeechType
    tag_ids: list[UUID]
    audio_key: str | None = None
    """A blob already stored (an uploaded file, or one the catalogue holds)."""
    audio_url: str | None = None
    """004's way of naming it: a link this store gave for it (an uploaded file's
    storage_url, a speech's audio_url, signed or expired), or its key."""


@dataclass(frozen=True)
class SpeechChanges:
    """None leaves a field as it is; `tag_ids` replaces every tag. `audio_key` and
    `audio_url` may come together (a speech read and sent back whole) when they agree."""

    text: str | None = None
    level: CefrLevel | None = None
    type: SpeechType | None = None
    audio_key: str | None = None
    audio_url: str | None = None
    tag_ids: list[UUID] | None = None


_UPLOAD_FIRST = "upload the audio first with POST /admin/import/audio"


async def _named_audio(audio_key: str | None, audio_url: str | None, blobs: BlobStore) -> str:
    """The key of the stored audio that `audio_key` or `audio_url` names (the key when both
    are given and agree); InvalidInput when it names none."""
    field, key = "audio_key", audio_key
    if audio_url is not None:
        field, key = "audio_url", blobs.key_of(audio_url)
        if audio_key is not None and key != audio_key:
            raise InvalidInput("audio_key and audio_url name different audio", {"field": field})
    if key is None or not key.startswith((CATALOGUE_AUDIO, UPLOADS)) or not await blobs.exists(key):
        raise InvalidInput(f"{field} names no audio stored here; {_UPLOAD_FIRST}", {"field": field})
    return key


@contextlib.asynccontextmanager
async def _kept_audio(
    key: str, level: CefrLevel, speech_id: UUID, blobs: BlobStore
) -> AsyncIterator[str]:
    """The key of the audio the speech keeps. An upload goes with its batch (imported or
    expired), so a speech naming one keeps a copy of its own, where imports keep theirs; the
    copy goes again if the speech is not saved."""
    if not key.startswith(UPLOADS):
        yield key
        return
    copy = catalogue_key(level, speech_id, key)
    await blobs.copy(key, copy)
    try:
        yield copy
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to report
            await blobs.delete(copy)
        raise


async def _tags(tag_ids: list[UUID], uow: ContentUnitOfWork) -> list[Tag]:
    wanted = list(dict.fromkeys(tag_ids))
    found = {t.id: t for t in await uow.tags.get_many(wanted)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound("One or more tag_ids don't exist", {"tag_ids": missing})
    return [found[i] for i in wanted]


async def _require_speech(speech_id: UUID, uow: ContentUnitOfWork) -> Speech:
    speech = await uow.speeches.get(speech_id)
    if speech is None:
        raise NotFound("Speech not found")
    return speech


async def list_speeches(
    filter: SpeechFilter, page: int, limit: int, uow: ContentUnitOfWork
) -> Page[Speech]:
    """The speeches matching every filter given, newest first, one page at a time."""
    offset = page_offset(page, limit, ADMIN_PAGE_SIZE)
    if filter.level is not None:
        check_speech_level(filter.level)
    filter = replace(filter, search=clean_search(filter.search))
    async with uow:
        speeches, total = await uow.speeches.find(filter, offset, limit)
    return Page(speeches, page, limit, total)


async def get_speech(speech_id: UUID, uow: ContentUnitOfWork) -> Speech:
    async with uow:
        return await _require_speech(speech_id, uow)


async def create_speech(
    actor_id: UUID, cmd: NewSpeech, blobs: BlobStore, uow: ContentAdminUnitOfWork
) -> Speech:
    text = clean_speech_text(cmd.text)
    check_speech_level(cmd.level)
    if (cmd.audio_key is None) == (cmd.audio_url is None):
        raise InvalidInput("Give the audio as audio_url or as audio_key", {"field": "audio_url"})
    audio = await _named_audio(cmd.audio_key, cmd.audio_url, blobs)
    now = datetime.now(UTC)
    speech_id = uuid4()
    async with uow, _kept_audio(audio, cmd.level, speech_id, blobs) as audio_key:
        speech = Speech(
            id=speech_id,
            text=text,
            level=cmd.level,
            type=cmd.type,
            audio_key=audio_key,
            created_at=now,
            updated_at=now,
            tags=await _tags(cmd.tag_ids, uow),
        )
        await uow.speeches.add(speech)
        await record(uow.audit_log, actor_id, AuditAction.CREATE, SPEECH, speech.id, after=speech)
        await uow.commit()
    return speech


async def update_speech(
    actor_id: UUID,
    speech_id: UUID,
    changes: SpeechChanges,
    blobs: BlobStore,
    uow: ContentAdminUnitOfWork,
) -> Speech:
    text = clean_speech_text(changes.text) if changes.text is not None else None
    if changes.level is not None:
        check_speech_level(changes.level)
    audio = None
    if changes.audio_key is not None or changes.audio_url is not None:
        audio = await _named_audio(changes.audio_key, changes.audio_url, blobs)
    async with uow:
        before = await _require_speech(speech_id, uow)
        level = changes.level or before.level
        kept = (
            _kept_audio(audio, level, speech_id, blobs)
            if audio
            else contextlib.nullcontext(before.audio_key)
        )
        async with kept as audio_key:
            after = replace(
                before,
                text=text or before.text,
                level=level,
                type=changes.type or before.type,
                audio_key=audio_key,
                tags=(
                    await _tags(changes.tag_ids, uow)
                    if changes.tag_ids is not None
                    else before.tags
                ),
                updated_at=datetime.now(UTC),
            )
            await uow.speeches.save(after)
            await record(
                uow.audit_log, actor_id, AuditAction.UPDATE, SPEECH, speech_id, before, after
            )
            await uow.commit()
    return after


async def delete_speech(actor_id: UUID, speech_id: UUID, uow: ContentAdminUnitOfWork) -> None:
    """The speech and its tag links go; game results that played it stay, with no speech.
    Its audio stays too: the audit entry still names it, and another speech may share it."""
    async with uow:
        before = await _require_speech(speech_id, uow)
        await uow.speeches.delete(speech_id)
        await record(uow.audit_log, actor_id, AuditAction.DELETE, SPEECH, speech_id, before)
        await uow.commit()
