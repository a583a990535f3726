"""Events of the courses context."""

from domain.events.schemas import ID, TIME, Schemas, object_of
from domain.events.validation import new_event
from ports.courses import ChapterCompletion, QuizAttempt
from ports.events import Event

_TEXT_ID = {"type": "string"}

SCHEMAS: Schemas = {
    ("chapter.completed", 1): object_of(
        user_id=ID,
        course_id=_TEXT_ID,
        chapter_id=_TEXT_ID,
        streak_days={"type": "integer"},
        completed_at=TIME,
    ),
    ("quiz.submitted", 1): object_of(
        attempt_id=ID,
        user_id=ID,
        quiz_id=_TEXT_ID,
        score={"type": "number"},
        passed={"type": "boolean"},
        completed_at=TIME,
    ),
}


def chapter_completed(completion: ChapterCompletion, streak_days: int) -> Event:
    return new_event(
        SCHEMAS,
        "chapter.completed",
        {
            "user_id": str(completion.user_id),
            "course_id": completion.course_id,
            "chapter_id": completion.chapter_id,
            "streak_days": streak_days,
            "completed_at": completion.completed_at.isoformat(),
        },
    )


def quiz_submitted(attempt: QuizAttempt) -> Event:
    return new_event(
        SCHEMAS,
        "quiz.submitted",
        {
            "attempt_id": str(attempt.id),
            "user_id": str(attempt.user_id),
            "quiz_id": attempt.quiz_id,
            "score": attempt.score,
            "passed": attempt.passed,
            "completed_at": attempt.completed_at.isoformat(),
        },
    )
