"""002's conversation sessions with the AI tutor: text and voice turns, every one kept."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.audio import AudioOut
from adapters.http.corrections import CorrectionOut
from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK, PageNumber, PageSize
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.paging import Page
from domain.synthesis import MAX_SPEED, MIN_SPEED
from domain.tutor import sessions as tutoring
from domain.tutor.sessions import DEFAULT_LEVEL, MAX_TOPIC_CHARS, MAX_TURN_CHARS, Turn
from domain.tutor.voice import take_voice_turn
from ports.cefr import CefrLevel
from ports.tutoring import (
    InputMode,
    SessionStatus,
    Speaker,
    Stage,
    TutorMessage,
    TutorSession,
)

router = APIRouter(prefix="/conversations/sessions", tags=["conversation sessions"])


class SessionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"level": "A2", "topic": "Ordering food at a restaurant"}]}
    )

    level: CefrLevel | None = Field(
        default=None, description=f"The profile's level, else {DEFAULT_LEVEL.value}"
    )
    topic: str | None = Field(default=None, max_length=MAX_TOPIC_CHARS, pattern=NOT_BLANK)
    profile_id: UUID | None = Field(
        default=None, description="The learner's English learning profile this session practises"
    )


class MessageOut(BaseModel):
    id: UUID
    sequence: int
    speaker: Speaker
    text: str
    input_mode: InputMode
    corrections: list[CorrectionOut]
    created_at: datetime

    @classmethod
    def of(cls, m: TutorMessage) -> "MessageOut":
        return cls(
            id=m.id,
            sequence=m.sequence,
            speaker=m.speaker,
            text=m.text,
            input_mode=m.input_mode,
            corrections=[CorrectionOut.of(c) for c in m.corrections],
            created_at=m.created_at,
        )


class SessionOut(BaseModel):
    id: UUID
    level: CefrLevel
    topic: str
    stage: Stage
    status: SessionStatus
    message_count: int
    started_at: datetime
    ended_at: datetime | None
    profile_id: UUID | None

    @classmethod
    def of(cls, s: TutorSession) -> "SessionOut":
        return cls(
            id=s.id,
            level=s.level,
            topic=s.topic,
            stage=s.stage,
            status=s.status,
            message_count=s.message_count,
            started_at=s.started_at,
            ended_at=s.ended_at,
            profile_id=s.profile_id,
        )


class SessionStarted(SessionOut):
    greeting: MessageOut


class Pagination(BaseModel):
    page: int
    limit: int
    total: int


class SessionList(BaseModel):
    sessions: list[SessionOut]
    pagination: Pagination


class MessageList(BaseModel):
    messages: list[MessageOut]
    pagination: Pagination


class TextTurnIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"text": "Yesterday I go to the market and buyed apples."}]}
    )

    text: str = Field(max_length=MAX_TURN_CHARS, pattern=NOT_BLANK)


class TurnOut(BaseModel):
    learner_message: MessageOut
    tutor_message: MessageOut
    corrected_text: str | None
    stage: Stage
    provider: str

    @classmethod
    def of(cls, turn: Turn) -> "TurnOut":
        return cls(
            learner_message=MessageOut.of(turn.learner),
            tutor_message=MessageOut.of(turn.tutor),
            corrected_text=turn.reply.corrected_text,
            stage=turn.session.stage,
            provider=turn.reply.provider,
        )


class VoiceTurnOut(TurnOut):
    transcript: str
    transcription_provider: str
    reply_audio: AudioOut


def pagination_of(page: Page) -> Pagination:
    return Pagination(page=page.page, limit=page.limit, total=page.total)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionStarted,
    responses=error_responses(403, 404),
)
async def start_tutor_session(
    body: SessionIn, claims: CurrentUser, services: Services
) -> SessionStarted:
    """Starts a session at the learner's CEFR level on a topic; the tutor greets first. A
    session may name the English learning profile it practises (404, 403, 400 otherwise)."""
    session, greeting = await tutoring.start_session(
        claims.user_id, body.level, body.topic, services.unit_of_work(), profile_id=body.profile_id
    )
    return SessionStarted(**SessionOut.of(session).model_dump(), greeting=MessageOut.of(greeting))


@router.get("", response_model=SessionList)
async def list_tutor_sessions(
    claims: CurrentUser,
    services: Services,
    page: PageNumber = 1,
    limit: PageSize = 20,
    status: SessionStatus | None = None,
) -> SessionList:
    """The learner's sessions, newest first."""
    found = await tutoring.list_sessions(
        claims.user_id, status, page, limit, services.unit_of_work()
    )
    return SessionList(
        sessions=[SessionOut.of(s) for s in found.items], pagination=pagination_of(found)
    )


@router.get("/{session_id}", response_model=SessionOut, responses=error_responses(403))
async def get_tutor_session(
    session_id: UUID, claims: CurrentUser, services: Services
) -> SessionOut:
    """One of the learner's tutor sessions: level, topic, stage, and whether it has ended."""
    return SessionOut.of(
        await tutoring.get_session(claims.user_id, session_id, services.unit_of_work())
    )


@router.post("/{session_id}/end", response_model=SessionOut, responses=error_responses(403, 409))
async def end_tutor_session(
    session_id: UUID, claims: CurrentUser, services: Services
) -> SessionOut:
    """Ends the session; later turns are refused with 409."""
    return SessionOut.of(
        await tutoring.end_session(claims.user_id, session_id, services.unit_of_work())
    )


@router.get("/{session_id}/messages", response_model=MessageList, responses=error_responses(403))
async def list_tutor_messages(
    session_id: UUID,
    claims: CurrentUser,
    services: Services,
    page: PageNumber = 1,
    limit: PageSize = 50,
) -> MessageList:
    """Every message of the session in conversation order, with the corrections of each
    learner turn."""
    found = await tutoring.list_messages(
        claims.user_id, session_id, page, limit, services.unit_of_work()
    )
    return MessageList(
        messages=[MessageOut.of(m) for m in found.items], pagination=pagination_of(found)
    )


@router.post("/{session_id}/text", response_model=TurnOut, responses=error_responses(403, 409))
async def take_text_turn(
    session_id: UUID, body: TextTurnIn, claims: CurrentUser, services: Services
) -> TurnOut:
    """The learner writes; the tutor corrects and answers."""
    turn = await tutoring.take_turn(
        claims.user_id,
        session_id,
        body.text,
        InputMode.TEXT,
        services.voice.tutor,
        services.unit_of_work(),
        services.default_dialect,
    )
    return TurnOut.of(turn)


@router.post(
    "/{session_id}/audio", response_model=VoiceTurnOut, responses=error_responses(403, 409, 422)
)
async def take_audio_turn(
    session_id: UUID,
    claims: CurrentUser,
    services: Services,
    audio: Annotated[UploadFile, File(description="WAV, MP3, M4A or WebM/Ogg Opus; 10 MB, 30 s")],
    voice: Annotated[str | None, Form(max_length=100)] = None,
    speed: Annotated[float, Form(ge=MIN_SPEED, le=MAX_SPEED)] = 1.0,
) -> VoiceTurnOut:
    """The learner speaks: the recording is transcribed, the tutor corrects and answers, and
    the answer comes back as speech too. The recording itself is not stored."""
    spoken = await take_voice_turn(
        claims.user_id,
        session_id,
        await audio.read(),
        services.voice,
        services.unit_of_work(),
        services.default_dialect,
        voice=voice,
        speed=speed,
    )
    return VoiceTurnOut(
        **TurnOut.of(spoken.turn).model_dump(),
        transcript=spoken.transcript.text,
        transcription_provider=spoken.transcript.provider,
        reply_audio=AudioOut.of(spoken.speech),
    )
