"""Use cases of quizzes: reading one (never with its answers: that is the HTTP schema's
job, the quiz itself carries them), grading a submission on the server, and the history of
a learner's attempts."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.courses import events
from domain.courses.access import require_access, require_course, require_self
from domain.courses.rules import Grade, grade
from domain.errors import NotFound
from ports.courses import Quiz, QuizAttempt
from ports.unit_of_work import CoursesUnitOfWork


@dataclass(frozen=True)
class SubmitQuiz:
    quiz_id: str
    answers: dict[str, int]
    """Question id -> index of the choice given."""


@dataclass(frozen=True)
class QuizResult:
    quiz: Quiz
    attempt: QuizAttempt
    grade: Grade


async def get_quiz(quiz_id: str, user_id: UUID | None, uow: CoursesUnitOfWork) -> Quiz:
    """The quiz; a premium course's needs premium."""
    async with uow:
        return await _accessible_quiz(quiz_id, user_id, uow)


async def submit_quiz(user_id: UUID, cmd: SubmitQuiz, uow: CoursesUnitOfWork) -> QuizResult:
    """Grades the answers and keeps the attempt; every submission is an attempt."""
    async with uow:
        quiz = await _accessible_quiz(cmd.quiz_id, user_id, uow)
        result = grade(quiz, cmd.answers)
        attempt = QuizAttempt(
            id=uuid4(),
            user_id=user_id,
            quiz_id=quiz.id,
            answers=dict(cmd.answers),
            score=result.score,
            passed=result.passed,
            completed_at=datetime.now(UTC),
        )
        await uow.quiz_attempts.add(attempt)
        await uow.outbox.add(events.quiz_submitted(attempt))
        await uow.commit()
    return QuizResult(quiz, attempt, result)


async def list_attempts(
    caller_id: UUID, user_id: UUID, quiz_id: str, uow: CoursesUnitOfWork
) -> list[QuizAttempt]:
    """The user's attempts at the quiz, newest first; only the user may read them."""
    require_self(caller_id, user_id)
    async with uow:
        if await uow.quizzes.get(quiz_id) is None:
            raise NotFound("Quiz not found")
        return await uow.quiz_attempts.list_for(user_id, quiz_id)


async def list_course_quizzes(
    caller_id: UUID, user_id: UUID, course_id: str, uow: CoursesUnitOfWork
) -> list[Quiz]:
    """The course's quizzes in chapter order, for a user who may take them."""
    require_self(caller_id, user_id)
    async with uow:
        course = await require_course(uow.courses, course_id)
        await require_access(course, user_id, uow.subscriptions, datetime.now(UTC))
        return await uow.quizzes.list_for_course(course_id)


async def _accessible_quiz(quiz_id: str, user_id: UUID | None, uow: CoursesUnitOfWork) -> Quiz:
    quiz = await uow.quizzes.get(quiz_id)
    if quiz is None:
        raise NotFound("Quiz not found")
    course = await require_course(uow.courses, quiz.course_id)
    await require_access(course, user_id, uow.subscriptions, datetime.now(UTC))
    return quiz
