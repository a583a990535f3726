"""Use cases of spaced repetition: the words and phrases a learner met become review items,
each due again when the scheduler says, graded by the learner or by their pronunciation."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.errors import Conflict, InvalidInput, Unauthenticated
from domain.learning.collecting import new_item
from domain.learning.history import record_pronunciation
from domain.learning.records import learner_page, require_own
from domain.learning.rules import MAX_NOTE_CHARS, item_text, spoken_grade
from domain.paging import Page, check_page_size
from domain.pronunciation.scoring import ScoredRecording, ScorePronunciation, score_pronunciation
from domain.synthesis import check_synthesis
from ports.learning import AnalysisSource, PronunciationAnalysis
from ports.reviews import Grade, ItemOrigin, ReviewItem, ReviewPhase, ReviewScheduler
from ports.scoring import AudioDecoder, SpeechScorer
from ports.speech import SpeechSynthesizer, SynthesizedSpeech
from ports.unit_of_work import LearningUnitOfWork

SPOKEN_LANGUAGE = "en-US"


@dataclass(frozen=True)
class AddItem:
    text: str
    note: str | None = None


async def add_item(user_id: UUID, cmd: AddItem, uow: LearningUnitOfWork) -> ReviewItem:
    """An item the learner adds, due at once; Conflict when they have one of that text."""
    note = " ".join(cmd.note.split()) if cmd.note else None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"note must be at most {MAX_NOTE_CHARS} characters", {"field": "note"})
    item = new_item(user_id, item_text(cmd.text), note, ItemOrigin.ADDED, datetime.now(UTC))
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        try:
            await uow.review_items.add(item)
        except Conflict:
            raise Conflict(
                f"{item.text!r} is already in your vocabulary", {"field": "text"}
            ) from None
        await uow.commit()
    return item


async def _owned(uow: LearningUnitOfWork, user_id: UUID, item_id: UUID) -> ReviewItem:
    return require_own(await uow.review_items.get(item_id), user_id, "Vocabulary item")


async def list_items(
    user_id: UUID, page: int, limit: int, uow: LearningUnitOfWork
) -> Page[ReviewItem]:
    return await learner_page(lambda u: u.review_items, user_id, page, limit, uow)


async def due_items(
    user_id: UUID, limit: int, uow: LearningUnitOfWork, now: datetime | None = None
) -> Page[ReviewItem]:
    """The items due now, the longest due first: one page of up to `limit`, and how many are
    due in all."""
    check_page_size(limit)
    async with uow:
        items, total = await uow.review_items.due(user_id, now or datetime.now(UTC), limit)
    return Page(items, 1, limit, total)


async def review_item(
    user_id: UUID,
    item_id: UUID,
    grade: Grade,
    scheduler: ReviewScheduler,
    uow: LearningUnitOfWork,
    now: datetime | None = None,
) -> ReviewItem:
    """The item rescheduled after a review graded `grade`. An item may be reviewed before it
    is due (FSRS counts the shorter interval); forgetting a learned item is a lapse."""
    now = now or datetime.now(UTC)
    async with uow:
        item = await _owned(uow, user_id, item_id)
        if grade is Grade.AGAIN and item.schedule.phase is ReviewPhase.REVIEW:
            item.lapses += 1
        item.schedule = scheduler.review(item.schedule, grade, now)
        item.reviews += 1
        await uow.review_items.update(item)
        await uow.commit()
    return item


async def delete_item(user_id: UUID, item_id: UUID, uow: LearningUnitOfWork) -> None:
    async with uow:
        await _owned(uow, user_id, item_id)
        await uow.review_items.delete(item_id)
        await uow.commit()


async def speak_item(
    user_id: UUID, item_id: UUID, synthesizer: SpeechSynthesizer, uow: LearningUnitOfWork
) -> SynthesizedSpeech:
    """The item spoken by the synthesizer: what the learner repeats in a spoken review."""
    async with uow:
        item = await _owned(uow, user_id, item_id)
    text = await check_synthesis(synthesizer, item.text, None, 1.0)
    return await synthesizer.synthesize(text)


@dataclass(frozen=True)
class SpokenReview:
    item: ReviewItem
    grade: Grade
    scored: ScoredRecording
    analysis: PronunciationAnalysis | None


@dataclass(frozen=True)
class SpeechPorts:
    decoder: AudioDecoder
    scorer: SpeechScorer


async def review_spoken(
    user_id: UUID,
    item_id: UUID,
    recording: bytes,
    speech: SpeechPorts,
    scheduler: ReviewScheduler,
    uow: LearningUnitOfWork,
) -> SpokenReview:
    """A review graded by the pronunciation scorer: the learner says the item, the score
    (rules.spoken_grade) is the grade. The recording is kept as any scored recording is."""
    async with uow:
        item = await _owned(uow, user_id, item_id)
    cmd = ScorePronunciation(recording, item.text, SPOKEN_LANGUAGE)
    scored = await score_pronunciation(cmd, speech.decoder, speech.scorer)
    grade = spoken_grade(scored.result.pronunciation_score)
    reviewed = await review_item(user_id, item_id, grade, scheduler, uow)
    source = AnalysisSource.VOCABULARY_REVIEW
    analysis = await record_pronunciation(user_id, source, scored, uow)
    return SpokenReview(reviewed, grade, scored, analysis)
