"""The unit of work: one transaction, with the repositories that take part in it.

Each context's use cases name the narrowest Protocol below, so that a use case's reach shows
in its signature; the SQL and in-memory units of work satisfy all of them at once."""

from types import TracebackType
from typing import Protocol, Self

from ports.audit import AuditLog
from ports.classes import ClassMemberRepository, ClassroomRepository
from ports.content import SpeechRepository, TagRepository, UploadBatchRepository
from ports.courses import (
    ChapterRepository,
    CourseProgressRepository,
    CourseRepository,
    CourseSearch,
    HybridUsageRepository,
    QuizAttemptRepository,
    QuizRepository,
    SubscriptionRepository,
)
from ports.curriculum import (
    AchievementRepository,
    DailyActivityRepository,
    LearnerProgressRepository,
    TopicAttemptRepository,
)
from ports.identity import LoginSessionRepository, PasswordResetRepository, UserRepository
from ports.learning import (
    AssessmentRepository,
    LearningPlanRepository,
    LearningProfileRepository,
    LearningSettingsRepository,
    LearningStatistics,
    PronunciationAnalysisRepository,
)
from ports.messaging import ConversationRepository, MessageRepository, UserStatusRepository
from ports.outbox import HandledEvents, Outbox
from ports.practice import GameSessionRepository
from ports.reviews import ReviewItemRepository
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
    password_resets: PasswordResetRepository
    outbox: Outbox


class ContentUnitOfWork(Transaction, Protocol):
    tags: TagRepository
    speeches: SpeechRepository


class AuditUnitOfWork(Transaction, Protocol):
    audit_log: AuditLog


class ContentAdminUnitOfWork(ContentUnitOfWork, AuditUnitOfWork, Protocol):
    """An admin's change to the catalogue is recorded in the audit log in its transaction;
    imports draw on the audio of upload batches."""

    upload_batches: UploadBatchRepository


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
    """A tutor session may name the learning profile it practises; a turn is checked in the
    learner's English (learning settings); its corrections become review items, and the turn
    is stored with its event."""

    users: UserRepository
    learning_profiles: LearningProfileRepository
    learning_settings: LearningSettingsRepository
    review_items: ReviewItemRepository
    tutor_sessions: TutorSessionRepository
    tutor_messages: TutorMessageRepository
    outbox: Outbox


class ClassesUnitOfWork(Transaction, Protocol):
    users: UserRepository
    classrooms: ClassroomRepository
    class_members: ClassMemberRepository


class CurriculumUnitOfWork(Transaction, Protocol):
    """An attempt changes the learner's progress, their day's activity and achievements;
    a teacher reads the progress of the members of their classes."""

    users: UserRepository
    class_members: ClassMemberRepository
    learner_progress: LearnerProgressRepository
    daily_activity: DailyActivityRepository
    achievements: AchievementRepository
    topic_attempts: TopicAttemptRepository
    outbox: Outbox


class LearningActivityUnitOfWork(Transaction, Protocol):
    """A game session or a tutor turn counts on the learner's day, streak and achievements,
    once: its event is claimed with the effect."""

    users: UserRepository
    learner_progress: LearnerProgressRepository
    daily_activity: DailyActivityRepository
    achievements: AchievementRepository
    game_sessions: GameSessionRepository
    handled_events: HandledEvents


class LearningUnitOfWork(Transaction, Protocol):
    users: UserRepository
    learning_profiles: LearningProfileRepository
    pronunciation_analyses: PronunciationAnalysisRepository
    assessments: AssessmentRepository
    learning_settings: LearningSettingsRepository
    statistics: LearningStatistics
    review_items: ReviewItemRepository
    learning_plans: LearningPlanRepository


class CoursesUnitOfWork(Transaction, Protocol):
    """Courses, what learners do with them, their subscriptions, and search."""

    users: UserRepository
    courses: CourseRepository
    chapters: ChapterRepository
    quizzes: QuizRepository
    quiz_attempts: QuizAttemptRepository
    course_progress: CourseProgressRepository
    subscriptions: SubscriptionRepository
    course_search: CourseSearch
    hybrid_usage: HybridUsageRepository
    outbox: Outbox


class UnitOfWork(
    IdentityUnitOfWork,
    ContentAdminUnitOfWork,
    PracticeUnitOfWork,
    MessagingUnitOfWork,
    TutoringUnitOfWork,
    LearningUnitOfWork,
    CurriculumUnitOfWork,
    ClassesUnitOfWork,
    LearningActivityUnitOfWork,
    CoursesUnitOfWork,
    Protocol,
):
    """Every repository, and the claims that make durable consumers idempotent."""

    handled_events: HandledEvents
