"""003's courses: the catalogue and its chapters, quizzes graded on the server, progress and
streaks, search, and subscriptions. Quizzes are served without their answers: QuestionOut
has no field for them."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field, StringConstraints

from adapters.http.errors import ErrorBody
from adapters.http.inputs import NOT_BLANK, StrictInt, UtcDatetime
from adapters.http.security import AdminUser, CurrentUser, OptionalUser
from adapters.http.services import Services
from domain.courses import catalog, premium, progress, quizzes, search, subscriptions
from domain.courses.catalog import ChapterView, CourseSummary
from domain.courses.premium import Source, UsageReport
from domain.courses.progress import CourseProgress
from domain.courses.quizzes import QuizResult, SubmitQuiz
from domain.courses.rules import (
    DAILY_LIMITS,
    MAX_QUERY_CHARS,
    MAX_SEARCH_LIMIT,
    SEARCH_LIMIT_DEFAULT,
)
from domain.courses.search import SearchResults
from domain.courses.subscriptions import GrantSubscription, SubscriptionStatus
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

# Course, chapter and quiz ids are short slugs.
ContentId = Annotated[str, Path(max_length=120, pattern=r"^[a-z0-9-]+$")]
QuestionId = Annotated[str, StringConstraints(max_length=64)]
MAX_ANSWERS = 100

courses_router = APIRouter(prefix="/courses", tags=["courses"])
chapters_router = APIRouter(prefix="/chapters", tags=["courses"])
quizzes_router = APIRouter(prefix="/quizzes", tags=["quizzes"])
progress_router = APIRouter(prefix="/progress", tags=["progress"])
search_router = APIRouter(prefix="/search", tags=["search"])
subscriptions_router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])
hybrid_router = APIRouter(prefix="/hybrid", tags=["premium AI"])


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


def _user(claims: OptionalUser) -> UUID | None:
    return None if claims is None else claims.user_id


@courses_router.get("", response_model=list[CourseOut])
async def list_courses(services: Services) -> list[CourseOut]:
    """Every course, by title; premium ones say so."""
    return [CourseOut.of(s) for s in await catalog.list_courses(services.unit_of_work())]


@courses_router.get("/{course_id}", response_model=CourseOut)
async def get_course(course_id: ContentId, services: Services) -> CourseOut:
    return CourseOut.of(await catalog.get_course(course_id, services.unit_of_work()))


@courses_router.get("/{course_id}/chapters", response_model=list[ChapterOut])
async def list_chapters(
    course_id: ContentId, claims: OptionalUser, services: Services
) -> list[ChapterOut]:
    """The course's chapters in order; a premium course's need a premium subscription."""
    views = await catalog.list_chapters(course_id, _user(claims), services.unit_of_work())
    return [ChapterOut.of(v) for v in views]


@chapters_router.get("/{chapter_id}", response_model=ChapterOut)
async def get_chapter(
    chapter_id: ContentId, claims: OptionalUser, services: Services
) -> ChapterOut:
    view = await catalog.get_chapter(chapter_id, _user(claims), services.unit_of_work())
    return ChapterOut.of(view)


@chapters_router.get("/{chapter_id}/next", response_model=ChapterOut)
async def next_chapter(
    chapter_id: ContentId, claims: OptionalUser, services: Services
) -> ChapterOut:
    """The next chapter of the course; 404 after the last."""
    view = await catalog.next_chapter(chapter_id, _user(claims), services.unit_of_work())
    return ChapterOut.of(view)


@chapters_router.get("/{chapter_id}/previous", response_model=ChapterOut)
async def previous_chapter(
    chapter_id: ContentId, claims: OptionalUser, services: Services
) -> ChapterOut:
    """The previous chapter of the course; 404 before the first."""
    view = await catalog.previous_chapter(chapter_id, _user(claims), services.unit_of_work())
    return ChapterOut.of(view)


@quizzes_router.post("/submit", response_model=QuizResultOut)
async def submit_quiz(
    body: QuizSubmissionIn, claims: CurrentUser, services: Services
) -> QuizResultOut:
    """Grades the answers on the server (passing score 0.7) and keeps the attempt."""
    cmd = SubmitQuiz(body.quiz_id, dict(body.answers))
    return QuizResultOut.of(await quizzes.submit_quiz(claims.user_id, cmd, services.unit_of_work()))


@quizzes_router.get("/attempts/{user_id}/{quiz_id}", response_model=list[QuizAttemptOut])
async def list_attempts(
    user_id: UUID, quiz_id: ContentId, claims: CurrentUser, services: Services
) -> list[QuizAttemptOut]:
    """The caller's attempts at the quiz, newest first; another user's are 403."""
    attempts = await quizzes.list_attempts(
        claims.user_id, user_id, quiz_id, services.unit_of_work()
    )
    return [QuizAttemptOut.of(a) for a in attempts]


@quizzes_router.get("/user/{user_id}/course/{course_id}", response_model=list[QuizOut])
async def list_course_quizzes(
    user_id: UUID, course_id: ContentId, claims: CurrentUser, services: Services
) -> list[QuizOut]:
    listed = await quizzes.list_course_quizzes(
        claims.user_id, user_id, course_id, services.unit_of_work()
    )
    return [QuizOut.of(q) for q in listed]


@quizzes_router.get("/{quiz_id}", response_model=QuizOut)
async def get_quiz(quiz_id: ContentId, claims: OptionalUser, services: Services) -> QuizOut:
    """The quiz's questions and choices, without answers; a premium course's needs premium."""
    return QuizOut.of(await quizzes.get_quiz(quiz_id, _user(claims), services.unit_of_work()))


@progress_router.post(
    "/{user_id}/courses/{course_id}/chapters/{chapter_id}", response_model=ChapterCompletedOut
)
async def complete_chapter(
    user_id: UUID,
    course_id: ContentId,
    chapter_id: ContentId,
    claims: CurrentUser,
    services: Services,
) -> ChapterCompletedOut:
    """Marks the chapter completed (a repeat changes nothing) and keeps the daily streak;
    409 while a prerequisite course is not completed."""
    done = await progress.complete_chapter(
        claims.user_id, user_id, course_id, chapter_id, services.unit_of_work()
    )
    return ChapterCompletedOut(
        message=f"Chapter {chapter_id} completed", progress=UserProgressOut.of(user_id, done)
    )


@progress_router.get("/{user_id}/courses/{course_id}", response_model=UserProgressOut)
async def get_course_progress(
    user_id: UUID, course_id: ContentId, claims: CurrentUser, services: Services
) -> UserProgressOut:
    found = await progress.get_course_progress(
        claims.user_id, user_id, course_id, services.unit_of_work()
    )
    return UserProgressOut.of(user_id, found)


@progress_router.get("/{user_id}/courses", response_model=list[UserProgressOut])
async def list_course_progress(
    user_id: UUID, claims: CurrentUser, services: Services
) -> list[UserProgressOut]:
    """Progress in every course the caller has started, by title."""
    listed = await progress.list_course_progress(claims.user_id, user_id, services.unit_of_work())
    return [UserProgressOut.of(user_id, p) for p in listed]


@progress_router.put("/{user_id}/streak/reset", response_model=StreakResetOut)
async def reset_streak(user_id: UUID, claims: CurrentUser, services: Services) -> StreakResetOut:
    streak = await progress.reset_learning_streak(claims.user_id, user_id, services.unit_of_work())
    return StreakResetOut(message="Streak reset", streak=StreakOut.of(streak))


Q = Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="Words to look for")]
Limit = Annotated[int, Query(ge=1, le=MAX_SEARCH_LIMIT)]


@search_router.get("", response_model=SearchResponse)
async def search_all(
    q: Q, services: Services, limit: Limit = SEARCH_LIMIT_DEFAULT
) -> SearchResponse:
    """Courses, then chapters, each best first (at most `limit` of each). Words only: an
    empty query or one with search operators is 400."""
    return SearchResponse.of(await search.search(q, limit, services.unit_of_work()))


@search_router.get("/courses", response_model=SearchResponse)
async def search_courses(
    q: Q, services: Services, limit: Limit = SEARCH_LIMIT_DEFAULT
) -> SearchResponse:
    return SearchResponse.of(await search.search_courses(q, limit, services.unit_of_work()))


@search_router.get("/chapters", response_model=SearchResponse)
async def search_chapters(
    q: Q, services: Services, limit: Limit = SEARCH_LIMIT_DEFAULT
) -> SearchResponse:
    return SearchResponse.of(await search.search_chapters(q, limit, services.unit_of_work()))


@subscriptions_router.get("/{user_id}", response_model=SubscriptionStatusOut)
async def get_subscriptions(
    user_id: UUID, claims: CurrentUser, services: Services
) -> SubscriptionStatusOut:
    """The plan in force and the history: the caller's own, or anyone's for an admin."""
    found = await subscriptions.get_subscriptions(
        claims.user_id, claims.role, user_id, services.unit_of_work()
    )
    return SubscriptionStatusOut.of(user_id, found)


@subscriptions_router.post(
    "/{user_id}", status_code=status.HTTP_201_CREATED, response_model=SubscriptionOut
)
async def grant_subscription(
    user_id: UUID, body: SubscriptionIn, admin: AdminUser, services: Services
) -> SubscriptionOut:
    """An admin starts a plan now, ending the running one (payment is outside Parla)."""
    cmd = GrantSubscription(body.plan, body.end_date)
    return SubscriptionOut.of(
        await subscriptions.grant_subscription(user_id, cmd, services.unit_of_work())
    )


@subscriptions_router.post("/{user_id}/end", response_model=SubscriptionStatusOut)
async def end_subscriptions(
    user_id: UUID, admin: AdminUser, services: Services
) -> SubscriptionStatusOut:
    """An admin ends the user's running subscription: back to the free plan."""
    ended = await subscriptions.end_subscriptions(user_id, services.unit_of_work())
    return SubscriptionStatusOut.of(user_id, ended)


# A premium request is words to search the courses with: as long as a search query.
PremiumText = Annotated[str, Field(max_length=MAX_QUERY_CHARS, pattern=NOT_BLANK)]
MAX_ANSWER_CHARS = 2000
_METERED = {429: {"model": ErrorBody, "description": "Daily limit reached; see Retry-After"}}


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


@hybrid_router.post(
    "/adaptive-learning", response_model=AdaptiveLearningResponse, responses=_METERED
)
async def adaptive_learning(
    body: AdaptiveLearningRequest, claims: CurrentUser, services: Services
) -> AdaptiveLearningResponse:
    """Premium, 5 a day: the chapters to review (quiz not passed) and to take next, and
    those matching an optional goal, with a short word of advice."""
    path = await premium.plan_learning_path(
        claims.user_id, body.course_id, body.goal, services.premium_model, services.unit_of_work()
    )
    return AdaptiveLearningResponse(
        course_id=path.course_id,
        steps=[
            PathStepOut(chapter_id=s.source.chapter_id, title=s.source.title, reason=s.reason)
            for s in path.steps
        ],
        key_points=path.key_points,
        advice=path.advice,
        citations=[CitationOut.of(s.source) for s in path.steps],
        provider=path.provider,
    )


@hybrid_router.post("/llm-assessment", response_model=LLMAssessmentResponse, responses=_METERED)
async def llm_assessment(
    body: LLMAssessmentRequest, claims: CurrentUser, services: Services
) -> LLMAssessmentResponse:
    """Premium, 10 a day: how much of what the chapter says on the question a written
    answer covers, the key points it misses, and a sentence of feedback."""
    found = await premium.assess_answer(
        claims.user_id,
        body.chapter_id,
        body.question,
        body.answer,
        services.premium_model,
        services.unit_of_work(),
    )
    return LLMAssessmentResponse(
        chapter_id=found.chapter.chapter_id,
        coverage=found.coverage,
        missing_points=found.missing_points,
        key_points=found.key_points,
        feedback=found.feedback,
        citations=[CitationOut.of(found.chapter)],
        provider=found.provider,
    )


@hybrid_router.post("/synthesis", response_model=CrossChapterSynthesisResponse, responses=_METERED)
async def synthesis(
    body: CrossChapterSynthesisRequest, claims: CurrentUser, services: Services
) -> CrossChapterSynthesisResponse:
    """Premium, 3 a day: what the chapters of every course say about a topic, summarized."""
    found = await premium.synthesize_chapters(
        claims.user_id, body.topic, services.premium_model, services.unit_of_work()
    )
    return CrossChapterSynthesisResponse(
        topic=found.topic,
        key_points=found.key_points,
        summary=found.summary,
        citations=[CitationOut.of(s) for s in found.sources],
        provider=found.provider,
    )


@hybrid_router.post("/mentor-session", response_model=MentorSessionResponse, responses=_METERED)
async def mentor_session(
    body: MentorSessionRequest, claims: CurrentUser, services: Services
) -> MentorSessionResponse:
    """Premium, 2 a day: a short answer from the chapters that cover the question."""
    found = await premium.ask_mentor(
        claims.user_id, body.message, services.premium_model, services.unit_of_work()
    )
    return MentorSessionResponse(
        key_points=found.key_points,
        reply=found.reply,
        citations=[CitationOut.of(s) for s in found.sources],
        provider=found.provider,
    )


@hybrid_router.get("/usage/{user_id}", response_model=UsageOut)
async def usage(user_id: UUID, claims: CurrentUser, services: Services) -> UsageOut:
    """The month's premium requests and cost (003's HybridUsage) and today's against the
    daily limits; the caller's own."""
    return UsageOut.of(await premium.get_usage(claims.user_id, user_id, services.unit_of_work()))


router = APIRouter()
for _part in (
    courses_router,
    chapters_router,
    quizzes_router,
    progress_router,
    search_router,
    subscriptions_router,
    hybrid_router,
):
    router.include_router(_part)
