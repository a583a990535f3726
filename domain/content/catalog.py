"""Use cases of the admin's catalogue: listing, reading, creating, changing and deleting
speeches, each write recorded in the audit log in its own transaction."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.audit.log import record
from domain.content.rules import ADMIN_PAGE_SIZE, clean_search, clean_speech_text
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
    text: str
    level: CefrLevel
    type: SpeechType
    audio_key: str
    """A blob already stored (an uploaded file, or one the catalogue holds)."""
    tag_ids: list[UUID]


@dataclass(frozen=True)
class SpeechChanges:
    """None leaves a field as it is; `tag_ids` replaces every tag."""

    text: str | None = None
    level: CefrLevel | None = None
    type: SpeechType | None = None
    audio_key: str | None = None
    tag_ids: list[UUID] | None = None


async def _require_audio(audio_key: str, blobs: BlobStore) -> None:
    if not await blobs.exists(audio_key):
        raise InvalidInput(f"No audio is stored at '{audio_key}'", {"field": "audio_key"})


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
    await _require_audio(cmd.audio_key, blobs)
    now = datetime.now(UTC)
    async with uow:
        speech = Speech(
            id=uuid4(),
            text=text,
            level=cmd.level,
            type=cmd.type,
            audio_key=cmd.audio_key,
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
    if changes.audio_key is not None:
        await _require_audio(changes.audio_key, blobs)
    async with uow:
        before = await _require_speech(speech_id, uow)
        after = replace(
            before,
            text=text or before.text,
            level=changes.level or before.level,
            type=changes.type or before.type,
            audio_key=changes.audio_key or before.audio_key,
            tags=await _tags(changes.tag_ids, uow) if changes.tag_ids is not None else before.tags,
            updated_at=datetime.now(UTC),
        )
        await uow.speeches.save(after)
        await record(uow.audit_log, actor_id, AuditAction.UPDATE, SPEECH, speech_id, before, after)
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
