"""003's courses: the catalogue and its chapters, quizzes graded on the server, progress and
streaks, search, and subscriptions. Quizzes are served without their answers: QuestionOut
has no field for them."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, status

from adapters.http.course_schemas import (
    AdaptiveLearningRequest,
    AdaptiveLearningResponse,
    ChapterCompletedOut,
    ChapterOut,
    CitationOut,
    CourseOut,
    CrossChapterSynthesisRequest,
    CrossChapterSynthesisResponse,
    LLMAssessmentRequest,
    LLMAssessmentResponse,
    MentorSessionRequest,
    MentorSessionResponse,
    PathStepOut,
    QuizAttemptOut,
    QuizOut,
    QuizResultOut,
    QuizSubmissionIn,
    SearchResponse,
    StreakOut,
    StreakResetOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionStatusOut,
    UsageOut,
    UserProgressOut,
)
from adapters.http.errors import ErrorBody, error_responses
from adapters.http.security import AdminUser, CurrentUser, OptionalUser
from adapters.http.services import Services
from domain.courses import catalog, premium, progress, quizzes, search, subscriptions
from domain.courses.quizzes import SubmitQuiz
from domain.courses.rules import MAX_QUERY_CHARS, MAX_SEARCH_LIMIT, SEARCH_LIMIT_DEFAULT
from domain.courses.subscriptions import GrantSubscription

# Course, chapter and quiz ids are short slugs.
ContentId = Annotated[str, Path(max_length=120, pattern=r"^[a-z0-9-]+$")]

courses_router = APIRouter(prefix="/courses", tags=["courses"])
chapters_router = APIRouter(prefix="/chapters", tags=["courses"])
quizzes_router = APIRouter(prefix="/quizzes", tags=["quizzes"])
progress_router = APIRouter(prefix="/progress", tags=["progress"])
search_router = APIRouter(prefix="/search", tags=["search"])
subscriptions_router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])
hybrid_router = APIRouter(prefix="/hybrid", tags=["premium AI"])


def _user(claims: OptionalUser) -> UUID | None:
    return None if claims is None else claims.user_id


@courses_router.get("", response_model=list[CourseOut])
async def list_courses(services: Services) -> list[CourseOut]:
    """Every course, by title; premium ones say so."""
    return [CourseOut.of(s) for s in await catalog.list_courses(services.reads())]


@courses_router.get("/{course_id}", response_model=CourseOut)
async def get_course(course_id: ContentId, services: Services) -> CourseOut:
    """A course of the catalogue: level, premium or not, prerequisites and its number of
    chapters; no sign-in needed."""
    return CourseOut.of(await catalog.get_course(course_id, services.unit_of_work()))


@courses_router.get(
    "/{course_id}/chapters", response_model=list[ChapterOut], responses=error_responses(403)
)
async def list_chapters(
    course_id: ContentId, claims: OptionalUser, services: Services
) -> list[ChapterOut]:
    """The course's chapters in order; a premium course's need a premium subscription."""
    views = await catalog.list_chapters(course_id, _user(claims), services.unit_of_work())
    return [ChapterOut.of(v) for v in views]


@chapters_router.get("/{chapter_id}", response_model=ChapterOut, responses=error_responses(403))
async def get_chapter(
    chapter_id: ContentId, claims: OptionalUser, services: Services
) -> ChapterOut:
    """A chapter with its content: premium courses need a sign-in and an active premium
    subscription (401, 403)."""
    view = await catalog.get_chapter(chapter_id, _user(claims), services.unit_of_work())
    return ChapterOut.of(view)


@chapters_router.get(
    "/{chapter_id}/next", response_model=ChapterOut, responses=error_responses(403)
)
async def next_chapter(
    chapter_id: ContentId, claims: OptionalUser, services: Services
) -> ChapterOut:
    """The next chapter of the course; 404 after the last."""
    view = await catalog.next_chapter(chapter_id, _user(claims), services.unit_of_work())
    return ChapterOut.of(view)


@chapters_router.get(
    "/{chapter_id}/previous", response_model=ChapterOut, responses=error_responses(403)
)
async def previous_chapter(
    chapter_id: ContentId, claims: OptionalUser, services: Services
) -> ChapterOut:
    """The previous chapter of the course; 404 before the first."""
    view = await catalog.previous_chapter(chapter_id, _user(claims), services.unit_of_work())
    return ChapterOut.of(view)


@quizzes_router.post("/submit", response_model=QuizResultOut, responses=error_responses(403, 404))
async def submit_quiz(
    body: QuizSubmissionIn, claims: CurrentUser, services: Services
) -> QuizResultOut:
    """Grades the answers on the server (passing score 0.7) and keeps the attempt."""
    cmd = SubmitQuiz(body.quiz_id, dict(body.answers))
    return QuizResultOut.of(await quizzes.submit_quiz(claims.user_id, cmd, services.unit_of_work()))


@quizzes_router.get(
    "/attempts/{user_id}/{quiz_id}",
    response_model=list[QuizAttemptOut],
    responses=error_responses(403),
)
async def list_quiz_attempts(
    user_id: UUID, quiz_id: ContentId, claims: CurrentUser, services: Services
) -> list[QuizAttemptOut]:
    """The caller's attempts at the quiz, newest first; another user's are 403."""
    attempts = await quizzes.list_attempts(
        claims.user_id, user_id, quiz_id, services.unit_of_work()
    )
    return [QuizAttemptOut.of(a) for a in attempts]


@quizzes_router.get(
    "/user/{user_id}/course/{course_id}",
    response_model=list[QuizOut],
    responses=error_responses(403),
)
async def list_course_quizzes(
    user_id: UUID, course_id: ContentId, claims: CurrentUser, services: Services
) -> list[QuizOut]:
    """The quizzes of a course, without their answers, for the learner (the caller) to take."""
    listed = await quizzes.list_course_quizzes(
        claims.user_id, user_id, course_id, services.unit_of_work()
    )
    return [QuizOut.of(q) for q in listed]


@quizzes_router.get("/{quiz_id}", response_model=QuizOut, responses=error_responses(403))
async def get_quiz(quiz_id: ContentId, claims: OptionalUser, services: Services) -> QuizOut:
    """The quiz's questions and choices, without answers; a premium course's needs premium."""
    return QuizOut.of(await quizzes.get_quiz(quiz_id, _user(claims), services.unit_of_work()))


@progress_router.post(
    "/{user_id}/courses/{course_id}/chapters/{chapter_id}",
    response_model=ChapterCompletedOut,
    responses=error_responses(403, 409),
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


@progress_router.get(
    "/{user_id}/courses/{course_id}", response_model=UserProgressOut, responses=error_responses(403)
)
async def get_course_progress(
    user_id: UUID, course_id: ContentId, claims: CurrentUser, services: Services
) -> UserProgressOut:
    """The learner's chapters completed in a course, quiz scores and the share of the
    course done."""
    found = await progress.get_course_progress(
        claims.user_id, user_id, course_id, services.unit_of_work()
    )
    return UserProgressOut.of(user_id, found)


@progress_router.get(
    "/{user_id}/courses", response_model=list[UserProgressOut], responses=error_responses(403)
)
async def list_course_progress(
    user_id: UUID, claims: CurrentUser, services: Services
) -> list[UserProgressOut]:
    """Progress in every course the caller has started, by title."""
    listed = await progress.list_course_progress(claims.user_id, user_id, services.unit_of_work())
    return [UserProgressOut.of(user_id, p) for p in listed]


@progress_router.put(
    "/{user_id}/streak/reset", response_model=StreakResetOut, responses=error_responses(403)
)
async def reset_streak(user_id: UUID, claims: CurrentUser, services: Services) -> StreakResetOut:
    """Starts the learner's learning streak again from zero (once a day)."""
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
    return SearchResponse.of(await search.search(q, limit, services.reads()))


@search_router.get("/courses", response_model=SearchResponse)
async def search_courses(
    q: Q, services: Services, limit: Limit = SEARCH_LIMIT_DEFAULT
) -> SearchResponse:
    """Courses whose title or description contains the words of `q`."""
    return SearchResponse.of(await search.search_courses(q, limit, services.reads()))


@search_router.get("/chapters", response_model=SearchResponse)
async def search_chapters(
    q: Q, services: Services, limit: Limit = SEARCH_LIMIT_DEFAULT
) -> SearchResponse:
    """Chapters whose title or content contains the words of `q`, with the course of each."""
    return SearchResponse.of(await search.search_chapters(q, limit, services.reads()))


@subscriptions_router.get(
    "/{user_id}", response_model=SubscriptionStatusOut, responses=error_responses(403)
)
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


# Premium only (403), on a course or chapter that exists (404), within a daily quota (429).
_METERED = error_responses(403, 404) | {
    429: {"model": ErrorBody, "description": "Daily limit reached; see Retry-After"}
}


@hybrid_router.post(
    "/adaptive-learning", response_model=AdaptiveLearningResponse, responses=_METERED
)
async def get_adaptive_learning(
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
async def assess_with_llm(
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
async def cross_chapter_synthesis(
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
async def start_mentor_session(
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


@hybrid_router.get("/usage/{user_id}", response_model=UsageOut, responses=error_responses(403))
async def get_premium_usage(user_id: UUID, claims: CurrentUser, services: Services) -> UsageOut:
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
