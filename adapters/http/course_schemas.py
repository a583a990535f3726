"""Request and response bodies of 003's courses: the catalogue, quizzes, progress, search,
subscriptions and the premium AI features."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from adapters.http.inputs import NOT_BLANK, StrictInt, UtcDatetime
from domain.courses.catalog import ChapterView, CourseSummary
from domain.courses.premium import Source, UsageReport
from domain.courses.progress import CourseProgress
from domain.courses.quizzes import QuizResult
from domain.courses.rules import DAILY_LIMITS, MAX_QUERY_CHARS
from domain.courses.search import SearchResults
from domain.courses.subscriptions import SubscriptionStatus
from ports.cefr import CefrLevel
from ports.courses import (
    Plan,
    PremiumFeature,
    Quiz,
    QuizAttempt,
    SearchKind,
    Streak,
    Subscription,
)

QuestionId = Annotated[str, StringConstraints(max_length=64)]
MAX_ANSWERS = 100


class CourseOut(BaseModel):
    id: str
    title: str
    description: str
    level: CefrLevel
    premium: bool
    prerequisites: list[str]
    chapter_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, summary: CourseSummary) -> "CourseOut":
        c = summary.course
        return cls(
            id=c.id,
            title=c.title,
            description=c.description,
            level=c.level,
            premium=c.premium,
            prerequisites=c.prerequisites,
            chapter_count=summary.chapter_count,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


class ChapterOut(BaseModel):
    id: str
    course_id: str
    title: str
    content: str
    order: int
    prev_chapter_id: str | None
    next_chapter_id: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ChapterView) -> "ChapterOut":
        c = view.chapter
        return cls(
            id=c.id,
            course_id=c.course_id,
            title=c.title,
            content=c.content,
            order=c.position,
            prev_chapter_id=view.previous_id,
            next_chapter_id=view.next_id,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


class QuestionOut(BaseModel):
    """A question as the learner sees it: never its answer."""

    id: str
    prompt: str
    choices: list[str]


class QuizOut(BaseModel):
    id: str
    course_id: str
    chapter_id: str
    title: str
    passing_score: float
    questions: list[QuestionOut]

    @classmethod
    def of(cls, quiz: Quiz) -> "QuizOut":
        return cls(
            id=quiz.id,
            course_id=quiz.course_id,
            chapter_id=quiz.chapter_id,
            title=quiz.title,
            passing_score=quiz.passing_score,
            questions=[
                QuestionOut(id=q.id, prompt=q.prompt, choices=q.choices) for q in quiz.questions
            ],
        )


class QuizSubmissionIn(BaseModel):
    quiz_id: str = Field(max_length=120)
    answers: dict[QuestionId, Annotated[StrictInt, Field(ge=0, le=100)]] = Field(
        max_length=MAX_ANSWERS,
        description="Question id -> index (from 0) of the choice given; a question left out "
        "counts as wrong.",
    )


class QuestionResultOut(BaseModel):
    question_id: str
    given: int | None
    correct: bool
    correct_choice: int
    explanation: str


class QuizResultOut(BaseModel):
    attempt_id: UUID
    quiz_id: str
    score: float
    passed: bool
    passing_score: float
    correct_count: int
    total_questions: int
    results: list[QuestionResultOut]
    completed_at: datetime

    @classmethod
    def of(cls, result: QuizResult) -> "QuizResultOut":
        attempt, grade = result.attempt, result.grade
        return cls(
            attempt_id=attempt.id,
            quiz_id=attempt.quiz_id,
            score=attempt.score,
            passed=attempt.passed,
            passing_score=result.quiz.passing_score,
            correct_count=grade.correct_count,
            total_questions=len(grade.results),
            results=[
                QuestionResultOut(
                    question_id=r.question.id,
                    given=r.given,
                    correct=r.correct,
                    correct_choice=r.question.answer,
                    explanation=r.question.explanation,
                )
                for r in grade.results
            ],
            completed_at=attempt.completed_at,
        )


class QuizAttemptOut(BaseModel):
    id: UUID
    user_id: UUID
    quiz_id: str
    answers: dict[str, int]
    score: float
    passed: bool
    completed_at: datetime

    @classmethod
    def of(cls, a: QuizAttempt) -> "QuizAttemptOut":
        return cls(
            id=a.id,
            user_id=a.user_id,
            quiz_id=a.quiz_id,
            answers=a.answers,
            score=a.score,
            passed=a.passed,
            completed_at=a.completed_at,
        )


class StreakOut(BaseModel):
    streak_days: int
    longest_streak_days: int
    last_active_on: str | None

    @classmethod
    def of(cls, s: Streak) -> "StreakOut":
        last = s.last_active_on.isoformat() if s.last_active_on else None
        return cls(
            streak_days=s.current_days, longest_streak_days=s.longest_days, last_active_on=last
        )


class UserProgressOut(BaseModel):
    user_id: UUID
    course_id: str
    course_title: str
    completed_chapters: list[str]
    total_chapters: int
    percent_complete: float
    completed: bool
    quiz_scores: dict[str, float]
    last_accessed: datetime | None
    streak_days: int

    @classmethod
    def of(cls, user_id: UUID, p: CourseProgress) -> "UserProgressOut":
        return cls(
            user_id=user_id,
            course_id=p.course.id,
            course_title=p.course.title,
            completed_chapters=p.completed_chapters,
            total_chapters=p.total_chapters,
            percent_complete=p.percent,
            completed=p.completed,
            quiz_scores=p.quiz_scores,
            last_accessed=p.last_accessed,
            streak_days=p.streak.current_days,
        )


class ChapterCompletedOut(BaseModel):
    message: str
    progress: UserProgressOut


class StreakResetOut(BaseModel):
    message: str
    streak: StreakOut


class SearchResultOut(BaseModel):
    type: SearchKind
    id: str
    course_id: str
    title: str
    snippet: str = Field(description="An excerpt with the matched words between <b> and </b>")
    score: float


class SearchResponse(BaseModel):
    query: str
    total: int
    results: list[SearchResultOut]

    @classmethod
    def of(cls, found: SearchResults) -> "SearchResponse":
        results = [
            SearchResultOut(
                type=h.kind,
                id=h.id,
                course_id=h.course_id,
                title=h.title,
                snippet=h.snippet,
                score=h.rank,
            )
            for h in [*found.courses, *found.chapters]
        ]
        return cls(query=found.query, total=len(results), results=results)


class SubscriptionIn(BaseModel):
    plan: Plan
    end_date: UtcDatetime | None = Field(
        default=None, description="When the plan ends; none: until an admin ends it"
    )


class SubscriptionOut(BaseModel):
    id: UUID
    user_id: UUID
    plan: Plan
    start_date: datetime
    end_date: datetime | None
    is_active: bool

    @classmethod
    def of(cls, s: Subscription) -> "SubscriptionOut":
        return cls(
            id=s.id,
            user_id=s.user_id,
            plan=s.plan,
            start_date=s.start_date,
            end_date=s.end_date,
            is_active=s.is_active,
        )


class SubscriptionStatusOut(BaseModel):
    user_id: UUID
    plan: Plan = Field(description="The plan in force now")
    subscriptions: list[SubscriptionOut]

    @classmethod
    def of(cls, user_id: UUID, s: SubscriptionStatus) -> "SubscriptionStatusOut":
        return cls(
            user_id=user_id,
            plan=s.plan,
            subscriptions=[SubscriptionOut.of(x) for x in s.subscriptions],
        )


# A premium request is words to search the courses with: as long as a search query.
PremiumText = Annotated[str, Field(max_length=MAX_QUERY_CHARS, pattern=NOT_BLANK)]
MAX_ANSWER_CHARS = 2000


class AdaptiveLearningRequest(BaseModel):
    course_id: str = Field(max_length=120)
    goal: PremiumText | None = None


class LLMAssessmentRequest(BaseModel):
    chapter_id: str = Field(max_length=120)
    question: PremiumText
    answer: str = Field(max_length=MAX_ANSWER_CHARS, pattern=NOT_BLANK)


class CrossChapterSynthesisRequest(BaseModel):
    topic: PremiumText


class MentorSessionRequest(BaseModel):
    message: PremiumText


class CitationOut(BaseModel):
    """A chapter the answer used, and the sentences of it that it used."""

    chapter_id: str
    course_id: str
    title: str
    excerpt: list[str]

    @classmethod
    def of(cls, s: Source) -> "CitationOut":
        return cls(chapter_id=s.chapter_id, course_id=s.course_id, title=s.title, excerpt=s.excerpt)


class PathStepOut(BaseModel):
    chapter_id: str
    title: str
    reason: str


_KEY_POINTS = "The course's own sentences that answer best, from the cited chapters"
_MODEL_NOTE = "The language model's sentence on the key points"


class AdaptiveLearningResponse(BaseModel):
    course_id: str
    steps: list[PathStepOut]
    key_points: list[str] = Field(description=_KEY_POINTS)
    advice: str = Field(description=_MODEL_NOTE)
    citations: list[CitationOut]
    provider: str


class LLMAssessmentResponse(BaseModel):
    chapter_id: str
    coverage: float = Field(
        description="Share (0-1) of the chapter's key points on the question the answer uses"
    )
    missing_points: list[str]
    key_points: list[str] = Field(description=_KEY_POINTS)
    feedback: str = Field(description=_MODEL_NOTE)
    citations: list[CitationOut]
    provider: str


class CrossChapterSynthesisResponse(BaseModel):
    topic: str
    key_points: list[str] = Field(description=_KEY_POINTS)
    summary: str = Field(description=_MODEL_NOTE)
    citations: list[CitationOut]
    provider: str


class MentorSessionResponse(BaseModel):
    key_points: list[str] = Field(description=_KEY_POINTS)
    reply: str = Field(description=_MODEL_NOTE)
    citations: list[CitationOut]
    provider: str


class UsageOut(BaseModel):
    user_id: UUID
    month_year: str
    adaptive_learning: int
    llm_assessment: int
    synthesis: int
    mentor_sessions: int
    total_requests: int
    cost_usd: float
    used_today: dict[PremiumFeature, int]
    daily_limits: dict[PremiumFeature, int]

    @classmethod
    def of(cls, r: UsageReport) -> "UsageOut":
        counts = r.usage.counts
        return cls(
            user_id=r.usage.user_id,
            month_year=r.month_year,
            adaptive_learning=counts[PremiumFeature.ADAPTIVE_LEARNING],
            llm_assessment=counts[PremiumFeature.LLM_ASSESSMENT],
            synthesis=counts[PremiumFeature.SYNTHESIS],
            mentor_sessions=counts[PremiumFeature.MENTOR_SESSION],
            total_requests=sum(counts.values()),
            cost_usd=r.usage.cost_micro_usd / 1_000_000,
            used_today={f: r.used_today.get(f, 0) for f in PremiumFeature},
            daily_limits=DAILY_LIMITS,
        )
