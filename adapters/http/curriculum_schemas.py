"""Request and response bodies of 000's curriculum: its curriculum stages, exercises and
topics, the learner's progress through them, and the attempts at a topic."""

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from adapters.http.routers.assessment import SentenceOut, SpeakingOut
from adapters.http.routers.speech import ScoreOut
from domain.curriculum.content import (
    EXERCISES_PER_STAGE,
    STAGE_COUNT,
    CurriculumStage,
    Evaluation,
    Exercise,
    Topic,
)
from domain.curriculum.evaluation import AttemptEvaluation, JudgedBy
from domain.curriculum.progress import ProgressView
from domain.curriculum.rules import (
    DEFAULT_TIME_ZONE,
    MATURITY_SCORE,
    MATURITY_WINDOW,
    FluencyTrend,
    NextUnlock,
)
from ports.cefr import CefrLevel


class TopicOut(BaseModel):
    number: int
    title: str
    prompt: str
    text: str | None
    urdu_hint: str | None

    @classmethod
    def of(cls, t: Topic) -> "TopicOut":
        return cls(
            number=t.number, title=t.title, prompt=t.prompt, text=t.text, urdu_hint=t.urdu_hint
        )


class ExerciseSummary(BaseModel):
    stage: int
    number: int
    slug: str
    title: str
    description: str
    evaluation: Evaluation
    accepts_text: bool
    topic_count: int

    @classmethod
    def fields_of(cls, e: Exercise) -> dict:
        return {
            "stage": e.kind.stage,
            "number": e.kind.number,
            "slug": e.slug,
            "title": e.title,
            "description": e.description,
            "evaluation": e.kind.evaluation,
            "accepts_text": e.kind.accepts_text,
            "topic_count": len(e.topics),
        }

    @classmethod
    def of(cls, e: Exercise) -> "ExerciseSummary":
        return cls(**cls.fields_of(e))


class ExerciseOut(ExerciseSummary):
    topics: list[TopicOut]

    @classmethod
    def of(cls, e: Exercise) -> "ExerciseOut":
        return cls(**cls.fields_of(e), topics=[TopicOut.of(t) for t in e.topics])


class StageOut(BaseModel):
    number: int
    level: CefrLevel
    title: str
    description: str
    exercises: list[ExerciseSummary]

    @classmethod
    def of(cls, s: CurriculumStage) -> "StageOut":
        return cls(
            number=s.number,
            level=s.level,
            title=s.title,
            description=s.description,
            exercises=[ExerciseSummary.of(e) for e in s.exercises],
        )


class StageList(BaseModel):
    stages: list[StageOut]


# --- progress -------------------------------------------------------------------------------


class InitializeIn(BaseModel):
    time_zone: str = Field(
        DEFAULT_TIME_ZONE,
        max_length=64,
        description="IANA time zone whose days count streaks and daily activity",
    )
    urdu_enabled: bool = True


class ExerciseProgressOut(BaseModel):
    stage: int
    exercise: int
    current_topic: int
    attempts: int
    average_score: float
    best_score: float
    last_scores: list[float]
    topics_completed: int
    matured: bool
    started_at: datetime
    matured_at: datetime | None


class DayOut(BaseModel):
    day: date
    attempts: int
    average_score: float | None
    time_seconds: int
    topics_completed: int
    game_sessions: int
    tutor_turns: int


class AchievementOut(BaseModel):
    code: str
    earned_at: datetime


class ProgressOut(BaseModel):
    user_id: UUID
    time_zone: str
    urdu_enabled: bool
    current_stage: int
    current_exercise: int
    current_topic: int
    unlocked_stages: list[int]
    unlocked_exercises: list[tuple[int, int]]
    overall_percentage: float
    time_seconds: int
    streak_days: int
    longest_streak: int
    first_activity_at: datetime | None
    last_activity_at: datetime | None
    curriculum_completed_at: datetime | None
    exercises: list[ExerciseProgressOut]
    achievements: list[AchievementOut]
    recent_days: list[DayOut]

    @classmethod
    def of(cls, view: ProgressView) -> "ProgressOut":
        p = view.progress
        return cls(
            user_id=p.user_id,
            time_zone=p.time_zone,
            urdu_enabled=p.urdu_enabled,
            current_stage=p.current_stage,
            current_exercise=p.current_exercise,
            current_topic=p.current_topic,
            unlocked_stages=p.unlocked_stages,
            unlocked_exercises=p.unlocked,
            overall_percentage=p.overall_percentage,
            time_seconds=p.time_seconds,
            streak_days=view.streak.current_days,
            longest_streak=view.streak.longest_days,
            first_activity_at=p.first_activity_at,
            last_activity_at=p.last_activity_at,
            curriculum_completed_at=p.curriculum_completed_at,
            exercises=[
                ExerciseProgressOut(
                    stage=e.stage,
                    exercise=e.exercise,
                    current_topic=e.current_topic,
                    attempts=e.attempts,
                    average_score=round(e.average_score, 1),
                    best_score=e.best_score,
                    last_scores=e.last_scores,
                    topics_completed=sum(1 for t in e.topics.values() if t.completed),
                    matured=e.matured,
                    started_at=e.started_at,
                    matured_at=e.matured_at,
                )
                for _, e in sorted(p.exercises.items())
            ],
            achievements=[
                AchievementOut(code=a.code, earned_at=a.earned_at) for a in view.achievements
            ],
            recent_days=[
                DayOut(
                    day=d.day,
                    attempts=d.attempts,
                    average_score=d.average_score,
                    time_seconds=d.time_seconds,
                    topics_completed=d.topics_completed,
                    game_sessions=d.game_sessions,
                    tutor_turns=d.tutor_turns,
                )
                for d in view.recent_days
            ],
        )


class TimeZoneIn(BaseModel):
    time_zone: str = Field(
        max_length=64, description="IANA time zone whose days count streaks and daily activity"
    )


class NextUnlockOut(BaseModel):
    stage: int
    exercise: int
    after_stage: int
    after_exercise: int
    topics_completed: int
    topic_count: int
    recent_average: float | None = Field(
        description=f"The average of the last {MATURITY_WINDOW} scores at the exercise before, "
        f"which opens this one at {MATURITY_SCORE:.0f} once all its topics are completed"
    )

    @classmethod
    def of(cls, n: NextUnlock | None) -> "NextUnlockOut | None":
        if n is None:
            return None
        return cls(
            stage=n.exercise[0],
            exercise=n.exercise[1],
            after_stage=n.after[0],
            after_exercise=n.after[1],
            topics_completed=n.topics_completed,
            topic_count=n.topic_count,
            recent_average=n.recent_average,
        )


class UnlocksOut(BaseModel):
    user_id: UUID
    unlocked_stages: list[int]
    unlocked_exercises: list[tuple[int, int]]
    next: NextUnlockOut | None


class CurrentTopicIn(BaseModel):
    user_id: UUID | None = Field(None, description="The learner; the caller when left out")
    stage: int = Field(ge=1, le=STAGE_COUNT)
    exercise: int = Field(ge=1, le=EXERCISES_PER_STAGE)


class CurrentTopicOut(BaseModel):
    stage: int
    exercise: int
    topic: TopicOut
    attempts: int
    topics_completed: int
    matured: bool


class LearnerIn(BaseModel):
    user_id: UUID | None = Field(None, description="The learner; the caller when left out")


class StageProgressOut(BaseModel):
    stage: int
    attempts: int
    average_score: float
    started_at: datetime
    completed_at: datetime | None


class ComprehensiveOut(ProgressOut):
    stages: list[StageProgressOut]
    next_unlock: NextUnlockOut | None
    recent_scores: list[float]
    fluency_trend: FluencyTrend


# --- attempts -------------------------------------------------------------------------------


class EvaluationOut(BaseModel):
    method: Evaluation
    score: float
    transcript: str
    relevance: float | None = Field(
        description="0-1: how far an answer is on the topic (the language model's judgement "
        "is 0 or 1; the rules' the share of the topic's words the answer reused)"
    )
    relevance_judged_by: JudgedBy | None = Field(
        description="model when the language model judged the answer's relevance, rules when "
        "no model is configured or its answer could not be used"
    )
    relevance_reason: str | None = Field(description="The language model's reason, if it judged")
    pronunciation: ScoreOut | None
    speaking: SpeakingOut | None
    sentence: SentenceOut | None

    @classmethod
    def of(cls, e: AttemptEvaluation) -> "EvaluationOut":
        return cls(
            method=e.method,
            score=e.score,
            transcript=e.transcript,
            relevance=None if e.relevance is None else e.relevance.share,
            relevance_judged_by=None if e.relevance is None else e.relevance.judged_by,
            relevance_reason=None if e.relevance is None else e.relevance.reason,
            pronunciation=None if e.pronunciation is None else ScoreOut.of(e.pronunciation),
            speaking=None if e.speaking is None else SpeakingOut.of(e.speaking, None),
            sentence=None if e.sentence is None else SentenceOut.of(e.sentence),
        )


class AttemptOut(BaseModel):
    attempt_id: UUID
    replayed: bool
    """True when an attempt under the same idempotency key was recorded before: nothing was
    evaluated or counted again, and `evaluation` is null."""
    stage: int
    exercise: int
    topic: int
    score: float
    evaluation: EvaluationOut | None
    topic_completed: bool
    exercise_matured: bool
    stage_completed: bool
    curriculum_completed: bool
    unlocked: list[tuple[int, int]]
    earned: list[str]
    progress: ProgressOut
