"""The unit of work: one transaction, with the repositories that take part in it.

Each context's use cases name the narrowest Protocol below, so that a use case's reach shows
in its signature; the SQL and in-memory units of work satisfy all of them at once."""

from types import TracebackType
from typing import Protocol, Self

from ports.content import SpeechRepository, TagRepository
from ports.courses import (
    ChapterRepository,
    CourseRepository,
    CourseSearch,
    HybridUsageRepository,
    ProgressRepository,
    QuizAttemptRepository,
    QuizRepository,
    SubscriptionRepository,
)
from ports.identity import LoginSessionRepository, UserRepository
from ports.messaging import ConversationRepository, MessageRepository, UserStatusRepository
from ports.outbox import HandledEvents, Outbox
from ports.practice import GameSessionRepository
from ports.tutoring import TutorMessageRepository, TutorSessionRepository


class Transaction(Protocol):
    """`async with uow:` opens a transaction; leaving the block without `commit()` rolls it
    back, so a use case that raises writes nothing."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class IdentityUnitOfWork(Transaction, Protocol):
    users: UserRepository
    login_sessions: LoginSessionRepository
    outbox: Outbox


class ContentUnitOfWork(Transaction, Protocol):
    tags: TagRepository
    speeches: SpeechRepository


class PracticeUnitOfWork(Transaction, Protocol):
    """A game session refers to its learner, the speeches it played and the tags chosen."""

    users: UserRepository
    tags: TagRepository
    speeches: SpeechRepository
    game_sessions: GameSessionRepository
    outbox: Outbox


class MessagingUnitOfWork(Transaction, Protocol):
    users: UserRepository
    conversations: ConversationRepository
    messages: MessageRepository
    user_statuses: UserStatusRepository
    outbox: Outbox


class TutoringUnitOfWork(Transaction, Protocol):
    users: UserRepository
    tutor_sessions: TutorSessionRepository
    tutor_messages: TutorMessageRepository


class CoursesUnitOfWork(Transaction, Protocol):
    """Courses, what learners do with them, their subscriptions, and search."""

    users: UserRepository
    courses: CourseRepository
    chapters: ChapterRepository
    quizzes: QuizRepository
    quiz_attempts: QuizAttemptRepository
    progress: ProgressRepository
    subscriptions: SubscriptionRepository
    course_search: CourseSearch
    hybrid_usage: HybridUsageRepository
    outbox: Outbox


class UnitOfWork(
    IdentityUnitOfWork,
    ContentUnitOfWork,
    PracticeUnitOfWork,
    MessagingUnitOfWork,
    TutoringUnitOfWork,
    CoursesUnitOfWork,
    Protocol,
):
    """Every repository, and the claims that make durable consumers idempotent."""

    handled_events: HandledEvents
