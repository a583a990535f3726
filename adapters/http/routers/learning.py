"""The learner's record: 002's learning profiles and statistics, and the pronunciation
analyses and 001's assessments that last, with the learner's choice to keep no pronunciation
history."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, model_validator

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK, PageNumber, PageSize, StrictBool, StrictFloat
from adapters.http.routers.tutoring import Pagination, pagination_of
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.learning import history, profiles, statistics
from domain.learning.statistics import MAX_TIME_ZONE_CHARS, MAX_TREND_DAYS, STREAK_WINDOW_DAYS
from ports.cefr import CefrLevel
from ports.grammar import Dialect
from ports.learning import (
    AnalysisSource,
    Assessment,
    AssessmentKind,
    LearningProfile,
    LearningSettings,
    PronunciationAnalysis,
)

router = APIRouter(tags=["learning"])

Score = Annotated[StrictFloat, Field(ge=0, le=100)]


class ProfileIn(BaseModel):
    language: str = Field(
        min_length=2, max_length=2, pattern="^[A-Za-z]{2}$", description="ISO 639-1, e.g. en"
    )
    level: CefrLevel


class LevelIn(BaseModel):
    level: CefrLevel


class ProfileOut(BaseModel):
    id: UUID
    language: str
    level: CefrLevel
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: LearningProfile) -> "ProfileOut":
        return cls(
            id=p.id,
            language=p.language,
            level=p.level,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


@router.get("/users/profiles", response_model=list[ProfileOut])
async def list_learning_profiles(claims: CurrentUser, services: Services) -> list[ProfileOut]:
    """The learner's profiles, oldest first."""
    found = await profiles.list_profiles(claims.user_id, services.unit_of_work())
    return [ProfileOut.of(p) for p in found]


@router.post(
    "/users/profiles",
    status_code=status.HTTP_201_CREATED,
    response_model=ProfileOut,
    responses=error_responses(409),
)
async def create_learning_profile(
    body: ProfileIn, claims: CurrentUser, services: Services
) -> ProfileOut:
    """A profile for a target language; 409 when the learner has one for it already."""
    cmd = profiles.CreateProfile(body.language, body.level)
    return ProfileOut.of(
        await profiles.create_profile(claims.user_id, cmd, services.unit_of_work())
    )


@router.get(
    "/users/profiles/{profile_id}", response_model=ProfileOut, responses=error_responses(403)
)
async def get_learning_profile(
    profile_id: UUID, claims: CurrentUser, services: Services
) -> ProfileOut:
    """One of the learner's learning profiles."""
    found = await profiles.get_profile(claims.user_id, profile_id, services.unit_of_work())
    return ProfileOut.of(found)


@router.patch(
    "/users/profiles/{profile_id}", response_model=ProfileOut, responses=error_responses(403)
)
async def set_profile_level(
    profile_id: UUID, body: LevelIn, claims: CurrentUser, services: Services
) -> ProfileOut:
    """Changes the profile's CEFR level."""
    changed = await profiles.set_level(
        claims.user_id, profile_id, body.level, services.unit_of_work()
    )
    return ProfileOut.of(changed)


@router.delete(
    "/users/profiles/{profile_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403),
)
async def delete_learning_profile(
    profile_id: UUID, claims: CurrentUser, services: Services
) -> None:
    """Deletes the profile; the sessions that practised it stay, without it."""
    await profiles.delete_profile(claims.user_id, profile_id, services.unit_of_work())


class WordResultOut(BaseModel):
    word: str
    score: float
    error_type: str


class AnalysisOut(BaseModel):
    id: UUID
    source: AnalysisSource
    reference_text: str
    recognized_text: str
    language: str
    pronunciation_score: float
    accuracy_score: float
    fluency_score: float
    completeness_score: float
    duration_seconds: float
    provider: str
    words: list[WordResultOut]
    created_at: datetime

    @classmethod
    def of(cls, a: PronunciationAnalysis) -> "AnalysisOut":
        return cls(
            id=a.id,
            source=a.source,
            reference_text=a.reference_text,
            recognized_text=a.recognized_text,
            language=a.language,
            pronunciation_score=a.pronunciation_score,
            accuracy_score=a.accuracy_score,
            fluency_score=a.fluency_score,
            completeness_score=a.completeness_score,
            duration_seconds=a.duration_seconds,
            provider=a.provider,
            words=[
                WordResultOut(word=w.word, score=w.score, error_type=w.error_type) for w in a.words
            ],
            created_at=a.created_at,
        )


class AnalysisList(BaseModel):
    analyses: list[AnalysisOut]
    pagination: Pagination


@router.get("/learning/pronunciation-analyses", response_model=AnalysisList)
async def list_pronunciation_analyses(
    claims: CurrentUser, services: Services, page: PageNumber = 1, limit: PageSize = 20
) -> AnalysisList:
    """Every scored recording the learner kept, newest first (the recordings are never
    stored, only their scores)."""
    found = await history.list_analyses(claims.user_id, page, limit, services.unit_of_work())
    return AnalysisList(
        analyses=[AnalysisOut.of(a) for a in found.items], pagination=pagination_of(found)
    )


class ReportedAssessmentIn(BaseModel):
    """An assessment a client made (001's save-assessment); kept as reported."""

    level: CefrLevel
    score: Score | None = None
    skills: dict[Annotated[str, Field(max_length=40)], Score] = Field(
        default_factory=dict, max_length=10, description="Skill name to its score (0-100)"
    )
    feedback: list[Annotated[str, Field(max_length=500, pattern=NOT_BLANK)]] = Field(
        default_factory=list, max_length=20
    )


class AssessmentOut(BaseModel):
    id: UUID
    kind: AssessmentKind
    level: CefrLevel
    score: float | None
    details: dict[str, Any]
    applied_to: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, a: Assessment) -> "AssessmentOut":
        return cls(
            id=a.id,
            kind=a.kind,
            level=a.level,
            score=a.score,
            details=a.details,
            applied_to=a.applied_to,
            created_at=a.created_at,
        )


class AssessmentList(BaseModel):
    assessments: list[AssessmentOut]
    pagination: Pagination


@router.post(
    "/learning/save-assessment", response_model=AssessmentOut, responses=error_responses(404)
)
async def save_assessment(
    body: ReportedAssessmentIn, claims: CurrentUser, services: Services
) -> AssessmentOut:
    """Keeps an assessment the client made. /assessment/speaking and /assessment/sentence
    keep their own results with `save`."""
    cmd = history.SaveAssessment(
        AssessmentKind.REPORTED,
        body.level,
        body.score,
        body.model_dump(include={"skills", "feedback"}),
    )
    saved = await history.save_assessment(claims.user_id, cmd, services.unit_of_work())
    return AssessmentOut.of(saved)


@router.get("/learning/assessments", response_model=AssessmentList)
async def list_assessments(
    claims: CurrentUser, services: Services, page: PageNumber = 1, limit: PageSize = 20
) -> AssessmentList:
    """The learner's saved assessments, newest first."""
    found = await history.list_assessments(claims.user_id, page, limit, services.unit_of_work())
    return AssessmentList(
        assessments=[AssessmentOut.of(a) for a in found.items], pagination=pagination_of(found)
    )


class ApplyIn(BaseModel):
    profile_id: UUID


@router.post(
    "/learning/assessments/{assessment_id}/apply",
    response_model=ProfileOut,
    responses=error_responses(403),
)
async def apply_assessment(
    assessment_id: UUID, body: ApplyIn, claims: CurrentUser, services: Services
) -> ProfileOut:
    """Sets the profile's level to the level the assessment estimated: an assessment never
    changes a level unless the learner asks this."""
    changed = await history.apply_assessment(
        claims.user_id, assessment_id, body.profile_id, services.unit_of_work()
    )
    return ProfileOut.of(changed)


class SettingsIn(BaseModel):
    keep_pronunciation_history: StrictBool | None = None
    english_dialect: Dialect | None = Field(
        default=None, description="british or american: the English the learner is taught"
    )

    @model_validator(mode="after")
    def _changes_something(self) -> "SettingsIn":
        if self.keep_pronunciation_history is None and self.english_dialect is None:
            raise ValueError("name keep_pronunciation_history or english_dialect")
        return self


class SettingsOut(BaseModel):
    keep_pronunciation_history: bool
    english_dialect: Dialect
    """The learner's choice, or the default until they choose."""

    @classmethod
    def of(cls, s: LearningSettings, default: Dialect) -> "SettingsOut":
        return cls(
            keep_pronunciation_history=s.keep_pronunciation_history,
            english_dialect=history.dialect_of(s, default),
        )


@router.get("/learning/settings", response_model=SettingsOut)
async def get_learning_settings(claims: CurrentUser, services: Services) -> SettingsOut:
    """The learner's history settings (whether scored recordings are kept) and the English
    (british or american) that corrections follow."""
    found = await history.get_settings(claims.user_id, services.unit_of_work())
    return SettingsOut.of(found, services.default_dialect)


@router.patch("/learning/settings", response_model=SettingsOut)
async def change_learning_settings(
    body: SettingsIn, claims: CurrentUser, services: Services
) -> SettingsOut:
    """`keep_pronunciation_history: false` stops keeping scored recordings from now on;
    `english_dialect` sets the English that corrections follow (their spellings are never
    corrected)."""
    cmd = history.ChangeSettings(body.keep_pronunciation_history, body.english_dialect)
    changed = await history.change_settings(claims.user_id, cmd, services.unit_of_work())
    return SettingsOut.of(changed, services.default_dialect)


class DayAverageOut(BaseModel):
    date: date
    average_score: float
    analyses: int


class StatsOut(BaseModel):
    speaking_seconds: float = Field(description="Seconds of the kept scored recordings")
    tutor_sessions: int
    game_sessions: int
    turns: int = Field(description="The learner's tutor turns, typed and spoken")
    words_spoken: int = Field(
        description="Words recognized in spoken tutor turns and kept scored recordings"
    )
    pronunciation_analyses: int
    average_pronunciation_score: float | None
    assessments: int
    vocabulary_items: int
    vocabulary_learned: int = Field(description="Items past their learning steps")
    vocabulary_due: int = Field(description="Items due for review now")
    streak_days: int = Field(
        description=f"Consecutive days of practice up to today (or yesterday), at most "
        f"{STREAK_WINDOW_DAYS}"
    )
    active_days: int = Field(description="Days with practice among the last `days`")
    pronunciation_by_day: list[DayAverageOut]
    time_zone: str

    @classmethod
    def of(cls, s: statistics.Statistics) -> "StatsOut":
        t = s.totals
        return cls(
            speaking_seconds=round(t.speaking_seconds, 1),
            tutor_sessions=t.tutor_sessions,
            game_sessions=t.game_sessions,
            turns=t.turns,
            words_spoken=t.words_spoken,
            pronunciation_analyses=t.pronunciation_analyses,
            average_pronunciation_score=(
                None
                if t.average_pronunciation_score is None
                else round(t.average_pronunciation_score, 1)
            ),
            assessments=t.assessments,
            vocabulary_items=s.vocabulary.items,
            vocabulary_learned=s.vocabulary.learned,
            vocabulary_due=s.vocabulary.due,
            streak_days=s.streak_days,
            active_days=s.active_days,
            pronunciation_by_day=[
                DayAverageOut(date=d.day, average_score=d.average_score, analyses=d.analyses)
                for d in s.pronunciation_by_day
            ],
            time_zone=s.time_zone,
        )


@router.get("/users/stats", response_model=StatsOut)
async def get_user_stats(
    claims: CurrentUser,
    services: Services,
    tz: Annotated[
        str, Query(max_length=MAX_TIME_ZONE_CHARS, description="IANA time zone of the days")
    ] = "UTC",
    days: Annotated[
        int, Query(ge=1, le=MAX_TREND_DAYS, description="Days the score curve covers")
    ] = 30,
) -> StatsOut:
    """Speaking time, sessions, turns, words spoken, vocabulary learned and due, the streak
    and the pronunciation score day by day, computed from the learner's record when asked
    (never kept as counters)."""
    found = await statistics.learner_statistics(claims.user_id, tz, days, services.reads())
    return StatsOut.of(found)
