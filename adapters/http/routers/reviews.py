"""The learner's vocabulary with spaced repetition: items met in tutor corrections,
mispronounced words and the learner's adds, due again when FSRS says, reviewed by grade or
spoken."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Query, Response, UploadFile, status
from pydantic import BaseModel, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK, PageNumber, PageSize
from adapters.http.routers.speech import WordScoreOut
from adapters.http.routers.tutoring import Pagination, pagination_of
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.learning import reviews
from domain.learning.rules import MAX_ITEM_CHARS, MAX_NOTE_CHARS
from domain.paging import MAX_PAGE_SIZE
from ports.reviews import Grade, ItemOrigin, ReviewItem, ReviewPhase

router = APIRouter(prefix="/learning/vocabulary", tags=["vocabulary"])


class ItemIn(BaseModel):
    text: str = Field(max_length=MAX_ITEM_CHARS, pattern=NOT_BLANK, description="A word or phrase")
    note: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class ItemOut(BaseModel):
    id: UUID
    text: str
    note: str | None
    origin: ItemOrigin
    phase: ReviewPhase
    due: datetime
    last_review: datetime | None
    stability: float | None = Field(description="Days until recall falls to 90%")
    difficulty: float | None = Field(description="1 (easy) to 10 (hard)")
    reviews: int
    lapses: int
    created_at: datetime

    @classmethod
    def of(cls, i: ReviewItem) -> "ItemOut":
        s = i.schedule
        return cls(
            id=i.id,
            text=i.text,
            note=i.note,
            origin=i.origin,
            phase=s.phase,
            due=s.due,
            last_review=s.last_review,
            stability=s.stability,
            difficulty=s.difficulty,
            reviews=i.reviews,
            lapses=i.lapses,
            created_at=i.created_at,
        )


class ItemList(BaseModel):
    items: list[ItemOut]
    pagination: Pagination


class DueList(BaseModel):
    items: list[ItemOut]
    total_due: int


class ReviewIn(BaseModel):
    grade: Grade


class SpokenReviewOut(BaseModel):
    grade: Grade
    recognized_text: str
    pronunciation_score: float
    word_scores: list[WordScoreOut]
    item: ItemOut
    analysis_id: UUID | None


@router.get("", response_model=ItemList)
async def list_vocabulary(
    claims: CurrentUser, services: Services, page: PageNumber = 1, limit: PageSize = 20
) -> ItemList:
    """Every item of the learner's vocabulary, newest first."""
    found = await reviews.list_items(claims.user_id, page, limit, services.unit_of_work())
    return ItemList(items=[ItemOut.of(i) for i in found.items], pagination=pagination_of(found))


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ItemOut, responses=error_responses(409)
)
async def add_vocabulary_item(body: ItemIn, claims: CurrentUser, services: Services) -> ItemOut:
    """A word or phrase to review, due at once; 409 when the learner has it already."""
    cmd = reviews.AddItem(body.text, body.note)
    return ItemOut.of(await reviews.add_item(claims.user_id, cmd, services.unit_of_work()))


@router.get("/due", response_model=DueList)
async def list_due_vocabulary(
    claims: CurrentUser,
    services: Services,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> DueList:
    """The items due now, the longest due first, and how many are due in all."""
    found = await reviews.due_items(claims.user_id, limit, services.unit_of_work())
    return DueList(items=[ItemOut.of(i) for i in found.items], total_due=found.total)


@router.post("/{item_id}/review", response_model=ItemOut, responses=error_responses(403))
async def review_vocabulary_item(
    item_id: UUID, body: ReviewIn, claims: CurrentUser, services: Services
) -> ItemOut:
    """Grades a review (again, hard, good, easy); FSRS sets when the item is due next."""
    reviewed = await reviews.review_item(
        claims.user_id, item_id, body.grade, services.review_scheduler, services.unit_of_work()
    )
    return ItemOut.of(reviewed)


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403))
async def delete_vocabulary_item(item_id: UUID, claims: CurrentUser, services: Services) -> None:
    """Removes the word or phrase from the learner's vocabulary, with its review schedule."""
    await reviews.delete_item(claims.user_id, item_id, services.unit_of_work())


@router.get(
    "/{item_id}/audio",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}, "audio/mpeg": {}}}} | error_responses(403),
)
async def get_vocabulary_audio(item_id: UUID, claims: CurrentUser, services: Services) -> Response:
    """The item spoken by the synthesizer: what the learner says back in a spoken review."""
    synthesizer = services.voice.synthesizer
    speech = await reviews.speak_item(claims.user_id, item_id, synthesizer, services.unit_of_work())
    return Response(
        speech.audio, media_type=speech.media_type, headers={"X-Provider": synthesizer.provider}
    )


@router.post(
    "/{item_id}/spoken-review", response_model=SpokenReviewOut, responses=error_responses(403, 422)
)
async def review_vocabulary_spoken(
    item_id: UUID,
    claims: CurrentUser,
    services: Services,
    audio: Annotated[UploadFile, File(description="WAV, MP3, M4A or WebM/Ogg Opus; 10 MB, 30 s")],
) -> SpokenReviewOut:
    """The learner says the item; the pronunciation score is the review's grade (85 and
    above easy, 70 good, 50 hard, below again). The recording is never stored."""
    speech = reviews.SpeechPorts(services.audio_decoder, services.speech_scorer)
    done = await reviews.review_spoken(
        claims.user_id,
        item_id,
        await audio.read(),
        speech,
        services.review_scheduler,
        services.unit_of_work(),
    )
    result = done.scored.result
    return SpokenReviewOut(
        grade=done.grade,
        recognized_text=result.recognized_text,
        pronunciation_score=result.pronunciation_score,
        word_scores=[WordScoreOut.of(w) for w in result.word_scores],
        item=ItemOut.of(done.item),
        analysis_id=done.analysis.id if done.analysis else None,
    )
