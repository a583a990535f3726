"""/game: random speeches for a game, and the learner's saved game sessions."""

from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import (
    PageNumber,
    PageSize,
    StrictFloat,
    StrictInt,
    UtcDatetime,
    in_utc,
)
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.content.speeches import MAX_PICK, PickSpeeches, audio_url, pick_speeches
from domain.errors import InvalidInput
from domain.paging import Page
from domain.practice import sessions as practice
from domain.practice.rules import (
    MAX_DURATION_SECONDS,
    MAX_RESPONSE_TIME_MS,
    MAX_SENTENCES,
    ResultEntry,
    SaveGameSession,
)
from ports.blobs import BlobStore
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechType
from ports.practice import GameMode, GameSessionFilter, UserResponse

router = APIRouter(prefix="/game", tags=["game"])


class TagRef(BaseModel):
    id: UUID
    name: str


class SpeechOut(BaseModel):
    id: UUID
    audio_url: str
    text: str
    level: CefrLevel
    type: SpeechType
    tags: list[TagRef]

    @classmethod
    def of(cls, speech: Speech, blobs: BlobStore) -> "SpeechOut":
        return cls(
            id=speech.id,
            audio_url=audio_url(speech, blobs),
            text=speech.text,
            level=speech.level,
            type=speech.type,
            tags=[TagRef(id=t.id, name=t.name) for t in speech.tags],
        )


class RandomSpeechesRequest(BaseModel):
    level: CefrLevel
    type: SpeechType
    tags: list[UUID] = Field(min_length=1, max_length=100)
    limit: StrictInt = Field(default=10, ge=1, le=MAX_PICK)


class SpeechList(BaseModel):
    speeches: list[SpeechOut]


Score = Annotated[StrictFloat, Field(ge=0, le=100)]
SentenceCount = Annotated[StrictInt, Field(ge=0, le=MAX_SENTENCES)]


class ResultIn(BaseModel):
    speech_id: UUID
    sequence_number: Annotated[StrictInt, Field(ge=1, le=MAX_SENTENCES)]
    user_response: UserResponse
    pronunciation_score: Score | None = None
    recognized_text: str | None = Field(default=None, max_length=2000)
    response_time_ms: Annotated[StrictInt, Field(ge=0, le=MAX_RESPONSE_TIME_MS)]


class GameSessionIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mode": "listen_and_repeat",
                    "level": "A1",
                    "sentence_type": "question",
                    "selected_tags": [],
                    "total_sentences": 2,
                    "correct_count": 1,
                    "max_streak": 1,
                    "avg_pronunciation_score": 78.5,
                    "duration_seconds": 95,
                    "started_at": "2025-03-01T09:00:00Z",
                    "completed_at": "2025-03-01T09:01:35Z",
                    "results": [
                        {
                            "speech_id": "0b7c1a54-7f1e-4d0e-9a53-8d6f6d1c2e01",
                            "sequence_number": 1,
                            "user_response": "correct",
                            "pronunciation_score": 86.0,
                            "recognized_text": "How are you today?",
                            "response_time_ms": 2300,
                        },
                        {
                            "speech_id": "5f0e8c1d-2b3a-4c5d-8e9f-0a1b2c3d4e5f",
                            "sequence_number": 2,
                            "user_response": "incorrect",
                            "pronunciation_score": 71.0,
                            "recognized_text": "Where is the station",
                            "response_time_ms": 4100,
                        },
                    ],
                }
            ]
        }
    )

    mode: GameMode
    level: CefrLevel
    sentence_type: SpeechType
    selected_tags: list[UUID] = Field(max_length=100)
    total_sentences: Annotated[StrictInt, Field(ge=1, le=MAX_SENTENCES)]
    correct_count: SentenceCount
    max_streak: SentenceCount
    avg_pronunciation_score: Score | None = None
    duration_seconds: Annotated[StrictInt, Field(ge=0, le=MAX_DURATION_SECONDS)]
    started_at: UtcDatetime
    completed_at: UtcDatetime
    results: list[ResultIn] = Field(min_length=1, max_length=MAX_SENTENCES)


class SessionSaved(BaseModel):
    session_id: UUID
    message: str = "Session saved successfully"


class GameSessionSummary(BaseModel):
    id: UUID
    mode: GameMode
    level: CefrLevel
    sentence_type: SpeechType
    total_sentences: int
    correct_count: int
    max_streak: int
    duration_seconds: int
    completed_at: datetime


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    total_pages: int

    @classmethod
    def of(cls, result: Page[Any]) -> "Pagination":
        return cls(
            page=result.page, limit=result.limit, total=result.total, total_pages=result.total_pages
        )


class GameSessionList(BaseModel):
    sessions: list[GameSessionSummary]
    pagination: Pagination


class ResultOut(BaseModel):
    sequence_number: int
    speech: SpeechOut | None
    user_response: UserResponse
    pronunciation_score: float | None
    recognized_text: str | None
    response_time_ms: int


class GameSessionDetailOut(BaseModel):
    id: UUID
    mode: GameMode
    level: CefrLevel
    sentence_type: SpeechType
    selected_tags: list[str]
    total_sentences: int
    correct_count: int
    max_streak: int
    avg_pronunciation_score: float | None
    duration_seconds: int
    started_at: datetime
    completed_at: datetime
    results: list[ResultOut]


@router.post("/speeches/random", response_model=SpeechList, responses=error_responses(404))
async def random_speeches(
    body: RandomSpeechesRequest, claims: CurrentUser, services: Services
) -> Response:
    """Speeches of the level AND type AND any of the tags, in random order."""
    cmd = PickSpeeches(level=body.level, type=body.type, tag_ids=body.tags, limit=body.limit)

    def rendered(speech: Speech) -> bytes:
        return SpeechOut.of(speech, services.blobs).model_dump_json().encode()

    speeches = await pick_speeches(cmd, services.reads(), services.catalogue, rendered)
    # SpeechList's JSON, its items serialized when they were cached.
    return Response(b'{"speeches":[' + b",".join(speeches) + b"]}", media_type="application/json")


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionSaved,
    responses=error_responses(404),
)
async def save_game_session(
    body: GameSessionIn, claims: CurrentUser, services: Services
) -> SessionSaved:
    """Saves a finished session with all its results in one transaction."""
    cmd = SaveGameSession(
        mode=body.mode,
        level=body.level,
        sentence_type=body.sentence_type,
        selected_tags=body.selected_tags,
        total_sentences=body.total_sentences,
        correct_count=body.correct_count,
        max_streak=body.max_streak,
        avg_pronunciation_score=body.avg_pronunciation_score,
        duration_seconds=body.duration_seconds,
        started_at=body.started_at,
        completed_at=body.completed_at,
        results=[ResultEntry(**r.model_dump()) for r in body.results],
    )
    session_id = await practice.save_game_session(claims.user_id, cmd, services.unit_of_work())
    return SessionSaved(session_id=session_id)


_ISO_DAY_OR_INSTANT = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$"


def _day_bound(value: str | None, field: str, end_of_day: bool) -> datetime | None:
    """An ISO date means its whole day (UTC), bounds included; an ISO datetime that instant."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min, UTC)
        moment = datetime.fromisoformat(value)
        return in_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError:
        raise InvalidInput(
            f"{field} must be an ISO date or datetime within years 1 to 9999 (UTC)",
            {"field": field},
        ) from None


@router.get("/sessions", response_model=GameSessionList)
async def list_game_sessions(
    claims: CurrentUser,
    services: Services,
    page: PageNumber = 1,
    limit: PageSize = 20,
    mode: GameMode | None = None,
    level: CefrLevel | None = None,
    from_date: Annotated[str | None, Query(max_length=40, pattern=_ISO_DAY_OR_INSTANT)] = None,
    to_date: Annotated[str | None, Query(max_length=40, pattern=_ISO_DAY_OR_INSTANT)] = None,
) -> GameSessionList:
    """The learner's sessions, newest first; dates filter on completion time."""
    filter = GameSessionFilter(
        mode=mode,
        level=level,
        completed_from=_day_bound(from_date, "from_date", end_of_day=False),
        completed_to=_day_bound(to_date, "to_date", end_of_day=True),
    )
    result = await practice.list_game_sessions(
        claims.user_id, filter, page, limit, services.reads()
    )
    return GameSessionList(
        sessions=[
            GameSessionSummary(
                id=s.id,
                mode=s.mode,
                level=s.level,
                sentence_type=s.sentence_type,
                total_sentences=s.total_sentences,
                correct_count=s.correct_count,
                max_streak=s.max_streak,
                duration_seconds=s.duration_seconds,
                completed_at=s.completed_at,
            )
            for s in result.items
        ],
        pagination=Pagination.of(result),
    )


@router.get(
    "/sessions/{session_id}", response_model=GameSessionDetailOut, responses=error_responses(403)
)
async def get_game_session(
    session_id: UUID, claims: CurrentUser, services: Services
) -> GameSessionDetailOut:
    """One of the learner's game sessions with each result and the speech it played (null when
    that speech was deleted since)."""
    detail = await practice.get_game_session(claims.user_id, session_id, services.unit_of_work())
    s = detail.session
    return GameSessionDetailOut(
        id=s.id,
        mode=s.mode,
        level=s.level,
        sentence_type=s.sentence_type,
        selected_tags=detail.tag_names,
        total_sentences=s.total_sentences,
        correct_count=s.correct_count,
        max_streak=s.max_streak,
        avg_pronunciation_score=s.avg_pronunciation_score,
        duration_seconds=s.duration_seconds,
        started_at=s.started_at,
        completed_at=s.completed_at,
        results=[
            ResultOut(
                sequence_number=r.sequence_number,
                speech=SpeechOut.of(detail.speeches[r.speech_id], services.blobs)
                if r.speech_id in detail.speeches
                else None,
                user_response=r.user_response,
                pronunciation_score=r.pronunciation_score,
                recognized_text=r.recognized_text,
                response_time_ms=r.response_time_ms,
            )
            for r in s.results
        ],
    )
