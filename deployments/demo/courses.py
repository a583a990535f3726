"""Loads the demo courses (courses/*.json: a course, its chapters in order, and a quiz per
chapter) into a database that has no course yet."""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.courses.catalog import add_course, course_count
from domain.courses.rules import PASSING_SCORE
from ports.cefr import CefrLevel
from ports.courses import Chapter, Course, Question, Quiz
from ports.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

COURSES_DIR = Path(__file__).parent / "courses"


@dataclass(frozen=True)
class DemoCourse:
    course: Course
    chapters: list[Chapter]
    quizzes: list[Quiz]


def read_course(path: Path, now: datetime) -> DemoCourse:
    """One course file; chapters are numbered in file order, `<course>-<n>`, and each
    chapter's quiz is `<chapter>-quiz`."""
    data: dict[str, Any] = json.loads(path.read_text())
    course = Course(
        id=data["id"],
        title=data["title"],
        description=data["description"],
        level=CefrLevel(data["level"]),
        premium=data["premium"],
        prerequisites=data["prerequisites"],
        created_at=now,
        updated_at=now,
    )
    chapters, quizzes = [], []
    for position, entry in enumerate(data["chapters"], start=1):
        chapter = Chapter(
            f"{course.id}-{position}",
            course.id,
            entry["title"],
            entry["content"],
            position,
            now,
            now,
        )
        questions = [
            Question(f"q{n}", q["prompt"], q["choices"], q["answer"], q["explanation"])
            for n, q in enumerate(entry["quiz"]["questions"], start=1)
        ]
        quiz = Quiz(
            f"{chapter.id}-quiz",
            course.id,
            chapter.id,
            entry["quiz"]["title"],
            questions,
            PASSING_SCORE,
            now,
            now,
        )
        chapters.append(chapter)
        quizzes.append(quiz)
    return DemoCourse(course, chapters, quizzes)


def read_courses(directory: Path = COURSES_DIR) -> list[DemoCourse]:
    """Every course file, those without prerequisites first, so that each course's
    prerequisites are added before it."""
    now = datetime.now(UTC)
    courses = [read_course(path, now) for path in sorted(directory.glob("*.json"))]
    return sorted(courses, key=lambda c: len(c.course.prerequisites))


async def load_demo_courses(unit_of_work: Callable[[], UnitOfWork]) -> int:
    """Adds the demo courses unless the database has courses already; how many were added."""
    if await course_count(unit_of_work()) > 0:
        return 0
    courses = read_courses()
    for demo in courses:
        await add_course(demo.course, demo.chapters, demo.quizzes, unit_of_work())
    logger.info("Demo courses loaded: %d", len(courses))
    return len(courses)
