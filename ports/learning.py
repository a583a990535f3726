"""Ports of the learning context: what a learner's record keeps (learning profiles, the
pronunciation analyses and assessments that last, the learner's choice about keeping them) and
the repositories that keep it."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from ports.cefr import CefrLevel
from ports.grammar import Dialect


@dataclass
class LearningProfile:
    """One per learner and target language (ISO 639-1, lower case)."""

    id: UUID
    user_id: UUID
    language: str
    level: CefrLevel
    created_at: datetime
    updated_at: datetime


class AnalysisSource(StrEnum):
    """What scored the recording."""

    SPEECH_SCORE = "speech_score"
    LEARN_REPEAT = "learn_repeat"
    VOCABULARY_REVIEW = "vocabulary_review"


@dataclass(frozen=True)
class WordResult:
    word: str
    score: float
    error_type: str
    """Azure's miscue vocabulary (ports.scoring.WordError's values)."""


@dataclass
class PronunciationAnalysis:
    """The scores of one recording; the recording itself is never kept."""

    id: UUID
    user_id: UUID
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
    created_at: datetime
    words: list[WordResult] = field(default_factory=list)


class AssessmentKind(StrEnum):
    SPEAKING = "speaking"
    """Measured by /assessment/speaking."""
    SENTENCE = "sentence"
    """Measured by /assessment/sentence."""
    REPORTED = "reported"
    """Sent by a client (001's save-assessment): the server did not measure it."""


@dataclass
class Assessment:
    id: UUID
    user_id: UUID
    kind: AssessmentKind
    level: CefrLevel
    score: float | None
    """0-100 when the assessment gave one."""
    details: dict[str, Any]
    """The assessment's result as it was answered (JSON)."""
    created_at: datetime
    applied_to: UUID | None = None
    """The learning profile whose level the learner last set from this assessment, if any."""


@dataclass
class LearningSettings:
    user_id: UUID
    keep_pronunciation_history: bool = True
    english_dialect: Dialect | None = None
    """The English the learner is taught; None until they choose: the deployment's default."""


class LearningProfileRepository(Protocol):
    async def add(self, profile: LearningProfile) -> None:
        """Raises domain.errors.Conflict when the learner has a profile of that language."""

    async def get(self, profile_id: UUID) -> LearningProfile | None: ...

    async def list_for_user(self, user_id: UUID) -> list[LearningProfile]:
        """Every profile of the learner, oldest first (a learner has a handful at most)."""

    async def update(self, profile: LearningProfile) -> None:
        """Stores level and updated_at; domain.errors.NotFound when the profile is gone."""

    async def delete(self, profile_id: UUID) -> None:
        """Deletes the profile; tutor sessions that named it keep their history without it.
        domain.errors.NotFound when it is gone."""


class PronunciationAnalysisRepository(Protocol):
    async def add(self, analysis: PronunciationAnalysis) -> None: ...

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[PronunciationAnalysis], int]:
        """One page, newest first (with their words), and the total count."""


class AssessmentRepository(Protocol):
    async def add(self, assessment: Assessment) -> None: ...

    async def get(self, assessment_id: UUID) -> Assessment | None: ...

    async def update(self, assessment: Assessment) -> None:
        """Stores applied_to; domain.errors.NotFound when the assessment is gone."""

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[Assessment], int]:
        """One page, newest first, and the total count."""


class LearningSettingsRepository(Protocol):
    async def get(self, user_id: UUID) -> LearningSettings:
        """The learner's settings; the defaults when they never changed them."""

    async def save(self, settings: LearningSettings) -> None:
        """Creates or replaces the learner's settings."""


@dataclass(frozen=True)
class PracticeTotals:
    """What a learner did, counted over everything stored."""

    speaking_seconds: float
    """Seconds of the kept scored recordings (/speech/score, learn-flow repeats)."""
    tutor_sessions: int
    game_sessions: int
    turns: int
    """The learner's tutor turns, typed and spoken."""
    words_spoken: int
    """Words recognized in the learner's spoken tutor turns and kept scored recordings."""
    pronunciation_analyses: int
    average_pronunciation_score: float | None
    assessments: int


@dataclass(frozen=True)
class ScoreAt:
    at: datetime
    pronunciation_score: float


class LearningStatistics(Protocol):
    """Queries over what the other repositories stored; nothing is counted as it happens,
    so no total drifts from the record it describes."""

    async def totals(self, user_id: UUID) -> PracticeTotals: ...

    async def practice_times(self, user_id: UUID, since: datetime) -> list[datetime]:
        """When the learner practised at or after `since`: each tutor turn, kept scored
        recording, completed game session and saved assessment; in no particular order."""

    async def pronunciation_scores(self, user_id: UUID, since: datetime) -> list[ScoreAt]:
        """The kept analyses' pronunciation scores at or after `since`, oldest first."""


class ActivityKind(StrEnum):
    """What Parla offers to practise with, each behind its own routes."""

    TUTOR_SESSION = "tutor_session"
    """/conversations/sessions on the activity's topic."""
    PRONUNCIATION = "pronunciation"
    """/speech/score on sentences of the learner's level."""
    LISTEN_AND_REPEAT = "listen_and_repeat"
    """/game: a listen-and-repeat game session."""
    VOCABULARY_REVIEW = "vocabulary_review"
    """/learning/vocabulary/due, reviewed by grade or spoken."""
    SPEAKING_ASSESSMENT = "speaking_assessment"
    """/assessment/speaking on a prompt, saved to see the level move."""
    SENTENCE_ASSESSMENT = "sentence_assessment"
    """/assessment/sentence: write sentences and read their corrections."""


@dataclass(frozen=True)
class PlanActivity:
    kind: ActivityKind
    title: str
    minutes: int
    """Minutes each time."""
    times_per_week: int


@dataclass(frozen=True)
class PlanWeek:
    week: int
    focus: str
    activities: list[PlanActivity]


@dataclass
class LearningPlan:
    id: UUID
    user_id: UUID | None
    """None for a plan made without signing in (not stored)."""
    level: CefrLevel
    goals: list[str]
    weeks: int
    summary: str
    schedule: list[PlanWeek]
    written_by: str
    """"rules", or the language model's provider when it phrased the plan."""
    created_at: datetime


class LearningPlanRepository(Protocol):
    async def add(self, plan: LearningPlan) -> None: ...

    async def get(self, plan_id: UUID) -> LearningPlan | None: ...

    async def list_for_user(
        self, user_id: UUID, offset: int, limit: int
    ) -> tuple[list[LearningPlan], int]:
        """One page, newest first (with their schedules), and the total count."""
