"""Use cases of a learner's progress: completing chapters (which keeps the streak), progress
in one course and across courses, and resetting the streak."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.courses import events
from domain.courses.access import require_access, require_course, require_self
from domain.courses.rules import extended_streak, reset_streak
from domain.errors import Conflict, NotFound
from ports.courses import ChapterCompletion, Course, Streak
from ports.unit_of_work import CoursesUnitOfWork


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    completed_chapters: list[str]
    """Ids in the order the learner completed them."""
    total_chapters: int
    quiz_scores: dict[str, float]
    """The best score of each of the course's quizzes the learner attempted."""
    last_accessed: datetime | None
    streak: Streak

    @property
    def percent(self) -> float:
        if not self.total_chapters:
            return 0.0
        return round(100 * len(self.completed_chapters) / self.total_chapters, 1)

    @property
    def completed(self) -> bool:
        return self.total_chapters > 0 and len(self.completed_chapters) == self.total_chapters


async def complete_chapter(
    caller_id: UUID, user_id: UUID, course_id: str, chapter_id: str, uow: CoursesUnitOfWork
) -> CourseProgress:
    """Marks the chapter completed (once: repeating it changes nothing) and extends the
    streak. Conflict while a prerequisite course is not completed."""
    require_self(caller_id, user_id)
    now = datetime.now(UTC)
    async with uow:
        course = await require_course(uow.courses, course_id)
        chapter = await uow.chapters.get(chapter_id)
        if chapter is None or chapter.course_id != course_id:
            raise NotFound("Chapter not found in this course")
        await require_access(course, user_id, uow.subscriptions, now)
        done = Counter(c.course_id for c in await uow.course_progress.completions(user_id))
        counts = await uow.chapters.count_by_course()
        missing = [p for p in course.prerequisites if done[p] < counts.get(p, 0)]
        if missing:
            raise Conflict("Complete the prerequisite courses first", {"prerequisites": missing})
        completion = ChapterCompletion(user_id, course_id, chapter_id, now)
        if await uow.course_progress.complete(completion):
            streak = extended_streak(await _streak(uow, user_id, now), now.date(), now)
            await uow.course_progress.save_streak(streak)
            await uow.outbox.add(events.chapter_completed(completion, streak.current_days))
            await uow.commit()
        return await _course_progress(course, user_id, uow, now)


async def get_course_progress(
    caller_id: UUID, user_id: UUID, course_id: str, uow: CoursesUnitOfWork
) -> CourseProgress:
    require_self(caller_id, user_id)
    async with uow:
        course = await require_course(uow.courses, course_id)
        return await _course_progress(course, user_id, uow, datetime.now(UTC))


async def list_course_progress(
    caller_id: UUID, user_id: UUID, uow: CoursesUnitOfWork
) -> list[CourseProgress]:
    """Progress in every course the learner has started, by title."""
    require_self(caller_id, user_id)
    now = datetime.now(UTC)
    async with uow:
        started = {c.course_id for c in await uow.course_progress.completions(user_id)}
        courses = [c for c in await uow.courses.list() if c.id in started]
        return [await _course_progress(c, user_id, uow, now) for c in courses]


async def reset_learning_streak(caller_id: UUID, user_id: UUID, uow: CoursesUnitOfWork) -> Streak:
    require_self(caller_id, user_id)
    now = datetime.now(UTC)
    async with uow:
        streak = reset_streak(await _streak(uow, user_id, now), now)
        await uow.course_progress.save_streak(streak)
        await uow.commit()
    return streak


async def _streak(uow: CoursesUnitOfWork, user_id: UUID, now: datetime) -> Streak:
    return await uow.course_progress.streak(user_id) or Streak(user_id, 0, 0, None, now)


async def _course_progress(
    course: Course, user_id: UUID, uow: CoursesUnitOfWork, now: datetime
) -> CourseProgress:
    completions = [
        c for c in await uow.course_progress.completions(user_id) if c.course_id == course.id
    ]
    chapters = await uow.chapters.list_for_course(course.id)
    quiz_ids = {q.id for q in await uow.quizzes.list_for_course(course.id)}
    best = await uow.quiz_attempts.best_scores(user_id)
    return CourseProgress(
        course=course,
        completed_chapters=[c.chapter_id for c in completions],
        total_chapters=len(chapters),
        quiz_scores={q: s for q, s in best.items() if q in quiz_ids},
        last_accessed=completions[-1].completed_at if completions else None,
        streak=await _streak(uow, user_id, now),
    )
