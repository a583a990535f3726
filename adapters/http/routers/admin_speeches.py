"""/admin/speeches: the catalogue of sentences an admin curates (admin role); each write is
recorded in the audit log."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK, PageNumber
from adapters.http.routers.game import Pagination, SpeechOut
from adapters.http.security import AdminUser
from adapters.http.services import Services
from domain.content import catalog
from domain.content.rules import (
    ADMIN_PAGE_SIZE,
    AUDIO_KEY_MAX_LENGTH,
    AUDIO_URL_MAX_LENGTH,
    SPEECH_TEXT_MAX_LENGTH,
)
from ports.blobs import BlobStore
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechFilter, SpeechType

router = APIRouter(prefix="/admin/speeches", tags=["admin"])

SpeechText = Annotated[str, Field(max_length=SPEECH_TEXT_MAX_LENGTH, pattern=NOT_BLANK)]
AudioKey = Annotated[
    str,
    Field(
        max_length=AUDIO_KEY_MAX_LENGTH,
        pattern=NOT_BLANK,
        description="The key of stored audio, e.g. an uploaded file's storage_key",
    ),
]
AudioUrl = Annotated[
    str,
    Field(
        max_length=AUDIO_URL_MAX_LENGTH,
        pattern=NOT_BLANK,
        description="A link to stored audio that Parla gave (an uploaded file's storage_url, "
        "a speech's audio_url, even expired), as 004 sends it; or its key",
    ),
]
TagIds = Annotated[list[UUID], Field(max_length=100)]


class AdminSpeech(SpeechOut):
    audio_key: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, speech: Speech, blobs: BlobStore) -> "AdminSpeech":
        return cls(
            **SpeechOut.of(speech, blobs).model_dump(),
            audio_key=speech.audio_key,
            created_at=speech.created_at,
            updated_at=speech.updated_at,
        )


class AdminSpeechList(BaseModel):
    speeches: list[AdminSpeech]
    pagination: Pagination


class SpeechIn(BaseModel):
    """The audio is given by exactly one of `audio_url` (004's) and `audio_key`."""

    text: SpeechText
    level: CefrLevel
    type: SpeechType = SpeechType.ANSWER
    audio_url: AudioUrl | None = None
    audio_key: AudioKey | None = None
    tag_ids: TagIds = []


class SpeechUpdate(BaseModel):
    text: SpeechText | None = None
    level: CefrLevel | None = None
    type: SpeechType | None = None
    audio_url: AudioUrl | None = None
    audio_key: AudioKey | None = None
    tag_ids: TagIds | None = None


@router.get("", response_model=AdminSpeechList)
async def list_speeches(
    admin: AdminUser,
    services: Services,
    page: PageNumber = 1,
    limit: Annotated[int, Query(ge=1, le=ADMIN_PAGE_SIZE)] = 50,
    level: CefrLevel | None = None,
    type: SpeechType | None = None,
    tag_id: UUID | None = None,
    search: Annotated[
        str | None,
        Query(max_length=SPEECH_TEXT_MAX_LENGTH, description="Text the speech contains (any case)"),
    ] = None,
) -> AdminSpeechList:
    """Speeches matching every filter given, newest first."""
    filter = SpeechFilter(level=level, type=type, tag_id=tag_id, search=search)
    result = await catalog.list_speeches(filter, page, limit, services.unit_of_work())
    return AdminSpeechList(
        speeches=[AdminSpeech.of(s, services.blobs) for s in result.items],
        pagination=Pagination.of(result),
    )


@router.get("/{speech_id}", response_model=AdminSpeech)
async def get_speech(speech_id: UUID, admin: AdminUser, services: Services) -> AdminSpeech:
    """One speech with its tags and a signed link to its audio."""
    speech = await catalog.get_speech(speech_id, services.unit_of_work())
    return AdminSpeech.of(speech, services.blobs)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AdminSpeech,
    responses=error_responses(404),
)
async def create_speech(body: SpeechIn, admin: AdminUser, services: Services) -> AdminSpeech:
    """The audio must already be stored (uploaded through /admin/import/audio, or another
    speech's): `audio_url` is a link Parla gave for it, `audio_key` its key; an upload's audio
    is copied to audio/{level}/ for the speech. Unknown tag ids answer 404."""
    cmd = catalog.NewSpeech(
        text=body.text,
        level=body.level,
        type=body.type,
        tag_ids=body.tag_ids,
        audio_key=body.audio_key,
        audio_url=body.audio_url,
    )
    speech = await catalog.create_speech(
        admin.user_id, cmd, services.blobs, services.unit_of_work()
    )
    return AdminSpeech.of(speech, services.blobs)


@router.put("/{speech_id}", response_model=AdminSpeech, responses=error_responses(404))
async def update_speech(
    speech_id: UUID, body: SpeechUpdate, admin: AdminUser, services: Services
) -> AdminSpeech:
    """Fields left out stay as they are; `tag_ids` replaces every tag; `audio_url` and
    `audio_key` may both be sent when they name the same audio."""
    changes = catalog.SpeechChanges(
        text=body.text,
        level=body.level,
        type=body.type,
        audio_key=body.audio_key,
        audio_url=body.audio_url,
        tag_ids=body.tag_ids,
    )
    speech = await catalog.update_speech(
        admin.user_id, speech_id, changes, services.blobs, services.unit_of_work()
    )
    return AdminSpeech.of(speech, services.blobs)


@router.delete("/{speech_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_speech(speech_id: UUID, admin: AdminUser, services: Services) -> None:
    """Game results that played the speech are kept, without it."""
    await catalog.delete_speech(admin.user_id, speech_id, services.unit_of_work())
