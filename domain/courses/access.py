"""Who may read what: premium courses need an active premium subscription, and a learner's
own records are the learner's alone (003: the path's user must be the caller)."""

from datetime import datetime
from uuid import UUID

from domain.courses.rules import is_premium
from domain.errors import Forbidden, NotFound, Unauthenticated
from ports.courses import Course, CourseRepository, SubscriptionRepository

PREMIUM_REQUIRED = "This needs an active premium subscription"


def require_self(caller_id: UUID, user_id: UUID) -> None:
    if caller_id != user_id:
        raise Forbidden("You can only see and change your own learning records")


async def has_premium(subscriptions: SubscriptionRepository, user_id: UUID, now: datetime) -> bool:
    return any(is_premium(s, now) for s in await subscriptions.list_for_user(user_id))


async def require_premium(
    subscriptions: SubscriptionRepository, user_id: UUID, now: datetime
) -> None:
    """Forbidden, saying premium is required, unless the user has an active premium plan."""
    if not await has_premium(subscriptions, user_id, now):
        raise Forbidden(PREMIUM_REQUIRED, {"required_plan": "premium"})


async def require_course(courses: CourseRepository, course_id: str) -> Course:
    course = await courses.get(course_id)
    if course is None:
        raise NotFound("Course not found")
    return course


async def require_access(
    course: Course, user_id: UUID | None, subscriptions: SubscriptionRepository, now: datetime
) -> None:
    """Free courses are open to all; a premium course's chapters and quizzes need a signed-in
    user with an active premium subscription."""
    if not course.premium:
        return
    if user_id is None:
        raise Unauthenticated("Sign in: this course needs a premium subscription")
    await require_premium(subscriptions, user_id, now)
