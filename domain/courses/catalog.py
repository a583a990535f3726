"""Use cases that read the course catalogue (courses, their chapters in order, and the way
from one chapter to the next) and add a course with its chapters and quizzes."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.courses.access import require_access, require_course
from domain.errors import InvalidInput, NotFound
from ports.courses import Chapter, Course, Quiz
from ports.unit_of_work import CoursesUnitOfWork


@dataclass(frozen=True)
class CourseSummary:
    course: Course
    chapter_count: int


@dataclass(frozen=True)
class ChapterView:
    """A chapter with its neighbours' ids (None at either end of its course)."""

    chapter: Chapter
    previous_id: str | None
    next_id: str | None


async def list_courses(uow: CoursesUnitOfWork) -> list[CourseSummary]:
    """Every course, by title, with its number of chapters; open to everyone."""
    async with uow:
        counts = await uow.chapters.count_by_course()
        return [CourseSummary(c, counts.get(c.id, 0)) for c in await uow.courses.list()]


async def get_course(course_id: str, uow: CoursesUnitOfWork) -> CourseSummary:
    async with uow:
        course = await require_course(uow.courses, course_id)
        chapters = await uow.chapters.list_for_course(course_id)
    return CourseSummary(course, len(chapters))


async def list_chapters(
    course_id: str, user_id: UUID | None, uow: CoursesUnitOfWork
) -> list[ChapterView]:
    """The course's chapters in order; a premium course's need premium."""
    async with uow:
        course = await require_course(uow.courses, course_id)
        await require_access(course, user_id, uow.subscriptions, datetime.now(UTC))
        chapters = await uow.chapters.list_for_course(course_id)
    return [_view(chapters, n) for n in range(len(chapters))]


async def get_chapter(chapter_id: str, user_id: UUID | None, uow: CoursesUnitOfWork) -> ChapterView:
    return await _chapter_at(chapter_id, 0, user_id, uow)


async def next_chapter(
    chapter_id: str, user_id: UUID | None, uow: CoursesUnitOfWork
) -> ChapterView:
    """The chapter after this one in its course; NotFound after the last."""
    return await _chapter_at(chapter_id, 1, user_id, uow)


async def previous_chapter(
    chapter_id: str, user_id: UUID | None, uow: CoursesUnitOfWork
) -> ChapterView:
    """The chapter before this one in its course; NotFound before the first."""
    return await _chapter_at(chapter_id, -1, user_id, uow)


async def _chapter_at(
    chapter_id: str, step: int, user_id: UUID | None, uow: CoursesUnitOfWork
) -> ChapterView:
    async with uow:
        chapter = await uow.chapters.get(chapter_id)
        if chapter is None:
            raise NotFound("Chapter not found")
        course = await require_course(uow.courses, chapter.course_id)
        await require_access(course, user_id, uow.subscriptions, datetime.now(UTC))
        chapters = await uow.chapters.list_for_course(course.id)
    index = next(n for n, c in enumerate(chapters) if c.id == chapter_id) + step
    if not 0 <= index < len(chapters):
        which = "next" if step > 0 else "previous"
        raise NotFound(f"This is the {'last' if step > 0 else 'first'} chapter: no {which} one")
    return _view(chapters, index)


def _view(chapters: list[Chapter], index: int) -> ChapterView:
    return ChapterView(
        chapters[index],
        chapters[index - 1].id if index > 0 else None,
        chapters[index + 1].id if index + 1 < len(chapters) else None,
    )


async def add_course(
    course: Course, chapters: list[Chapter], quizzes: list[Quiz], uow: CoursesUnitOfWork
) -> None:
    """Adds a course with its chapters and their quizzes, all or nothing. Chapters must be
    numbered 1, 2, ... and quizzes must belong to them; prerequisites must exist."""
    if sorted(c.position for c in chapters) != list(range(1, len(chapters) + 1)):
        raise InvalidInput(f"chapters of {course.id} must be numbered from 1 without gaps")
    ids = {c.id for c in chapters}
    if any(c.course_id != course.id for c in chapters) or any(
        q.course_id != course.id or q.chapter_id not in ids for q in quizzes
    ):
        raise InvalidInput(f"chapters and quizzes of {course.id} must belong to it")
    async with uow:
        for prerequisite in course.prerequisites:
            await require_course(uow.courses, prerequisite)
        await uow.courses.add(course)
        for chapter in chapters:
            await uow.chapters.add(chapter)
        for quiz in quizzes:
            await uow.quizzes.add(quiz)
        await uow.commit()


async def course_count(uow: CoursesUnitOfWork) -> int:
    async with uow:
        return len(await uow.courses.list())
