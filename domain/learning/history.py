"""Use cases of the history that lasts: pronunciation analyses and saved assessments, and the
learner's settings: whether to keep a pronunciation history, and the English they are taught."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.errors import Unauthenticated
from domain.learning.collecting import collect_items
from domain.learning.profiles import owned_profile
from domain.learning.records import learner_page, require_own
from domain.learning.rules import check_score
from domain.paging import Page
from domain.pronunciation.scoring import ScoredRecording
from ports.cefr import CefrLevel
from ports.grammar import Dialect
from ports.learning import (
    AnalysisSource,
    Assessment,
    AssessmentKind,
    LearningProfile,
    LearningSettings,
    PronunciationAnalysis,
    WordResult,
)
from ports.reviews import ItemOrigin
from ports.scoring import WordError
from ports.unit_of_work import LearningUnitOfWork


async def record_pronunciation(
    user_id: UUID, source: AnalysisSource, scored: ScoredRecording, uow: LearningUnitOfWork
) -> PronunciationAnalysis | None:
    """Keeps the scores of a recording (never the recording) and makes a review item of each
    word it mispronounced, unless the learner chose to keep no pronunciation history: then
    None."""
    result = scored.result
    analysis = PronunciationAnalysis(
        id=uuid4(),
        user_id=user_id,
        source=source,
        reference_text=scored.reference_text,
        # One space between words, so that the statistics count words with one query.
        recognized_text=" ".join(result.recognized_text.split()),
        language=scored.language,
        pronunciation_score=result.pronunciation_score,
        accuracy_score=result.accuracy_score,
        fluency_score=result.fluency_score,
        completeness_score=result.completeness_score,
        duration_seconds=scored.duration_seconds,
        provider=result.provider,
        created_at=datetime.now(UTC),
        words=[WordResult(w.word, w.score, w.error_type.value) for w in result.word_scores],
    )
    async with uow:
        if not (await uow.learning_settings.get(user_id)).keep_pronunciation_history:
            return None
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        await uow.pronunciation_analyses.add(analysis)
        mispronounced = [
            (word.word, f"Mispronounced in: {scored.reference_text}")
            for word in result.word_scores
            if word.error_type is WordError.MISPRONUNCIATION
        ]
        origin = ItemOrigin.MISPRONOUNCED
        await collect_items(uow.review_items, user_id, mispronounced, origin, analysis.created_at)
        await uow.commit()
    return analysis


async def list_analyses(
    user_id: UUID, page: int, limit: int, uow: LearningUnitOfWork
) -> Page[PronunciationAnalysis]:
    return await learner_page(lambda u: u.pronunciation_analyses, user_id, page, limit, uow)


@dataclass(frozen=True)
class SaveAssessment:
    kind: AssessmentKind
    level: CefrLevel
    score: float | None
    details: dict[str, Any]


async def save_assessment(
    user_id: UUID, cmd: SaveAssessment, uow: LearningUnitOfWork
) -> Assessment:
    assessment = Assessment(
        id=uuid4(),
        user_id=user_id,
        kind=cmd.kind,
        level=cmd.level,
        score=check_score(cmd.score),
        details=cmd.details,
        created_at=datetime.now(UTC),
    )
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        await uow.assessments.add(assessment)
        await uow.commit()
    return assessment


async def list_assessments(
    user_id: UUID, page: int, limit: int, uow: LearningUnitOfWork
) -> Page[Assessment]:
    return await learner_page(lambda u: u.assessments, user_id, page, limit, uow)


async def apply_assessment(
    user_id: UUID, assessment_id: UUID, profile_id: UUID, uow: LearningUnitOfWork
) -> LearningProfile:
    """Sets the profile's level to the one the assessment estimated, at the learner's
    explicit request (an assessment never changes a level by itself)."""
    async with uow:
        assessment = require_own(await uow.assessments.get(assessment_id), user_id, "Assessment")
        profile = await owned_profile(uow, user_id, profile_id)
        profile.level = assessment.level
        profile.updated_at = datetime.now(UTC)
        assessment.applied_to = profile.id
        await uow.learning_profiles.update(profile)
        await uow.assessments.update(assessment)
        await uow.commit()
    return profile


async def get_settings(user_id: UUID, uow: LearningUnitOfWork) -> LearningSettings:
    async with uow:
        return await uow.learning_settings.get(user_id)


@dataclass(frozen=True)
class ChangeSettings:
    """The settings to change; None leaves one as it is."""

    keep_pronunciation_history: bool | None = None
    english_dialect: Dialect | None = None


async def change_settings(
    user_id: UUID, cmd: ChangeSettings, uow: LearningUnitOfWork
) -> LearningSettings:
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        settings = await uow.learning_settings.get(user_id)
        if cmd.keep_pronunciation_history is not None:
            settings.keep_pronunciation_history = cmd.keep_pronunciation_history
        if cmd.english_dialect is not None:
            settings.english_dialect = cmd.english_dialect
        await uow.learning_settings.save(settings)
        await uow.commit()
    return settings


def dialect_of(settings: LearningSettings, default: Dialect) -> Dialect:
    """The English the learner is taught: their choice, or the deployment's default."""
    return settings.english_dialect or default


async def english_dialect(user_id: UUID, default: Dialect, uow: LearningUnitOfWork) -> Dialect:
    """The dialect every check of the learner's English is made in."""
    async with uow:
        return dialect_of(await uow.learning_settings.get(user_id), default)
