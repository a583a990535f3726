"""The in-memory unit of work: the repositories of every context over tables held by this
process, with the SQL unit of work's semantics (commit makes writes visible, leaving without
commit discards them). Use-case tests run on it in milliseconds."""

from collections.abc import Callable
from types import TracebackType
from typing import Self

from adapters.memory.audit import InMemoryAuditLog
from adapters.memory.classes import InMemoryClassMemberRepository, InMemoryClassroomRepository
from adapters.memory.content import (
    InMemorySpeechRepository,
    InMemoryTagRepository,
    InMemoryUploadBatchRepository,
)
from adapters.memory.courses import (
    InMemoryChapterRepository,
    InMemoryCourseProgressRepository,
    InMemoryCourseRepository,
    InMemoryCourseSearch,
    InMemoryHybridUsageRepository,
    InMemoryQuizAttemptRepository,
    InMemoryQuizRepository,
    InMemorySubscriptionRepository,
)
from adapters.memory.curriculum import (
    InMemoryAchievementRepository,
    InMemoryDailyActivityRepository,
    InMemoryLearnerProgressRepository,
    InMemoryTopicAttemptRepository,
)
from adapters.memory.identity import (
    InMemoryLoginSessionRepository,
    InMemoryPasswordResetRepository,
    InMemoryUserRepository,
)
from adapters.memory.learning import (
    InMemoryAssessmentRepository,
    InMemoryLearningPlanRepository,
    InMemoryLearningProfileRepository,
    InMemoryLearningSettingsRepository,
    InMemoryLearningStatistics,
    InMemoryPronunciationAnalysisRepository,
)
from adapters.memory.messaging import (
    InMemoryConversationRepository,
    InMemoryMessageRepository,
    InMemoryUserStatusRepository,
)
from adapters.memory.outbox import InMemoryHandledEvents, InMemoryOutbox
from adapters.memory.practice import InMemoryGameSessionRepository
from adapters.memory.reviews import InMemoryReviewItemRepository
from adapters.memory.tables import Tables
from adapters.memory.tutoring import (
    InMemoryTutorMessageRepository,
    InMemoryTutorSessionRepository,
)
from ports.events import Event


class InMemoryDatabase:
    """What units of work commit to; shared by every unit of work of one test."""

    def __init__(self) -> None:
        self.tables = Tables()

    @property
    def outbox(self) -> list[Event]:
        """The committed events, in the order they were added."""
        return list(self.tables.outbox)


class InMemoryUnitOfWork:
    """Implements ports.unit_of_work.UnitOfWork. A block works on a copy of the committed
    tables; commit applies its writes to them. Reusable for sequential `async with` blocks,
    not for nested ones."""

    users: InMemoryUserRepository
    login_sessions: InMemoryLoginSessionRepository
    password_resets: InMemoryPasswordResetRepository
    tags: InMemoryTagRepository
    speeches: InMemorySpeechRepository
    game_sessions: InMemoryGameSessionRepository
    conversations: InMemoryConversationRepository
    messages: InMemoryMessageRepository
    user_statuses: InMemoryUserStatusRepository
    tutor_sessions: InMemoryTutorSessionRepository
    tutor_messages: InMemoryTutorMessageRepository
    upload_batches: InMemoryUploadBatchRepository
    audit_log: InMemoryAuditLog
    learning_profiles: InMemoryLearningProfileRepository
    pronunciation_analyses: InMemoryPronunciationAnalysisRepository
    assessments: InMemoryAssessmentRepository
    learning_settings: InMemoryLearningSettingsRepository
    statistics: InMemoryLearningStatistics
    review_items: InMemoryReviewItemRepository
    learning_plans: InMemoryLearningPlanRepository
    learner_progress: InMemoryLearnerProgressRepository
    daily_activity: InMemoryDailyActivityRepository
    achievements: InMemoryAchievementRepository
    topic_attempts: InMemoryTopicAttemptRepository
    classrooms: InMemoryClassroomRepository
    class_members: InMemoryClassMemberRepository
    courses: InMemoryCourseRepository
    chapters: InMemoryChapterRepository
    quizzes: InMemoryQuizRepository
    quiz_attempts: InMemoryQuizAttemptRepository
    course_progress: InMemoryCourseProgressRepository
    subscriptions: InMemorySubscriptionRepository
    course_search: InMemoryCourseSearch
    hybrid_usage: InMemoryHybridUsageRepository
    outbox: InMemoryOutbox
    handled_events: InMemoryHandledEvents

    def __init__(
        self, database: InMemoryDatabase, on_outbox_commit: Callable[[], None] | None = None
    ) -> None:
        """`on_outbox_commit` is called after a commit that added events to the outbox."""
        self._database = database
        self._on_outbox_commit = on_outbox_commit
        self._base: Tables | None = None
        self._tables = Tables()

    async def __aenter__(self) -> Self:
        if self._base is not None:
            raise RuntimeError("this unit of work is already in use")
        self._begin()
        tables = self._tables
        self.users = InMemoryUserRepository(tables)
        self.login_sessions = InMemoryLoginSessionRepository(tables)
        self.password_resets = InMemoryPasswordResetRepository(tables)
        self.tags = InMemoryTagRepository(tables)
        self.speeches = InMemorySpeechRepository(tables)
        self.game_sessions = InMemoryGameSessionRepository(tables)
        self.conversations = InMemoryConversationRepository(tables)
        self.messages = InMemoryMessageRepository(tables)
        self.user_statuses = InMemoryUserStatusRepository(tables)
        self.tutor_sessions = InMemoryTutorSessionRepository(tables)
        self.tutor_messages = InMemoryTutorMessageRepository(tables)
        self.upload_batches = InMemoryUploadBatchRepository(tables)
        self.audit_log = InMemoryAuditLog(tables)
        self.learning_profiles = InMemoryLearningProfileRepository(tables)
        self.pronunciation_analyses = InMemoryPronunciationAnalysisRepository(tables)
        self.assessments = InMemoryAssessmentRepository(tables)
        self.learning_settings = InMemoryLearningSettingsRepository(tables)
        self.statistics = InMemoryLearningStatistics(tables)
        self.review_items = InMemoryReviewItemRepository(tables)
        self.learning_plans = InMemoryLearningPlanRepository(tables)
        self.learner_progress = InMemoryLearnerProgressRepository(tables)
        self.daily_activity = InMemoryDailyActivityRepository(tables)
        self.topic_attempts = InMemoryTopicAttemptRepository(tables)
        self.classrooms = InMemoryClassroomRepository(tables)
        self.class_members = InMemoryClassMemberRepository(tables)
        self.achievements = InMemoryAchievementRepository(tables)
        self.courses = InMemoryCourseRepository(tables)
        self.chapters = InMemoryChapterRepository(tables)
        self.quizzes = InMemoryQuizRepository(tables)
        self.quiz_attempts = InMemoryQuizAttemptRepository(tables)
        self.course_progress = InMemoryCourseProgressRepository(tables)
        self.subscriptions = InMemorySubscriptionRepository(tables)
        self.course_search = InMemoryCourseSearch(tables)
        self.hybrid_usage = InMemoryHybridUsageRepository(tables)
        self.outbox = InMemoryOutbox(tables)
        self.handled_events = InMemoryHandledEvents(tables)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._base = None  # What was not committed is dropped with the copy.

    async def commit(self) -> None:
        if self._base is None:
            raise RuntimeError("commit() outside `async with`")
        self._database.tables.apply(self._base, self._tables)
        self._begin()
        if self.outbox.added:
            self.outbox.added = False
            if self._on_outbox_commit is not None:
                self._on_outbox_commit()

    def _begin(self) -> None:
        """A new transaction: a copy of the committed tables, kept in place so that the
        repositories keep working on it."""
        self._base = self._database.tables.copy()
        fresh = self._base.copy()
        for name, rows in vars(fresh).items():
            setattr(self._tables, name, rows)
