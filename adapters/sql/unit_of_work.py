"""The SQL unit of work: one AsyncSession, hence one transaction, shared by the repositories."""

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.sql.audit import SqlAuditLog
from adapters.sql.classes import SqlClassMemberRepository, SqlClassroomRepository
from adapters.sql.content import (
    SqlSpeechRepository,
    SqlTagRepository,
    SqlUploadBatchRepository,
)
from adapters.sql.courses import (
    SqlChapterRepository,
    SqlCourseProgressRepository,
    SqlCourseRepository,
    SqlCourseSearch,
    SqlHybridUsageRepository,
    SqlQuizAttemptRepository,
    SqlQuizRepository,
    SqlSubscriptionRepository,
)
from adapters.sql.curriculum import (
    SqlAchievementRepository,
    SqlDailyActivityRepository,
    SqlLearnerProgressRepository,
    SqlTopicAttemptRepository,
)
from adapters.sql.identity import (
    SqlLoginSessionRepository,
    SqlPasswordResetRepository,
    SqlUserRepository,
)
from adapters.sql.learning import (
    SqlAssessmentRepository,
    SqlLearningPlanRepository,
    SqlLearningProfileRepository,
    SqlLearningSettingsRepository,
    SqlLearningStatistics,
    SqlPronunciationAnalysisRepository,
)
from adapters.sql.messaging import (
    SqlConversationRepository,
    SqlMessageRepository,
    SqlUserStatusRepository,
)
from adapters.sql.outbox import SqlHandledEvents, SqlOutbox
from adapters.sql.practice import SqlGameSessionRepository
from adapters.sql.reviews import SqlReviewItemRepository
from adapters.sql.tutoring import SqlTutorMessageRepository, SqlTutorSessionRepository
from domain.errors import ServiceUnavailable


class SqlUnitOfWork:
    """Implements ports.unit_of_work.UnitOfWork. Reusable for sequential `async with`
    blocks, each with a fresh session; not for nested or concurrent ones."""

    users: SqlUserRepository
    login_sessions: SqlLoginSessionRepository
    password_resets: SqlPasswordResetRepository
    tags: SqlTagRepository
    speeches: SqlSpeechRepository
    game_sessions: SqlGameSessionRepository
    conversations: SqlConversationRepository
    messages: SqlMessageRepository
    user_statuses: SqlUserStatusRepository
    tutor_sessions: SqlTutorSessionRepository
    tutor_messages: SqlTutorMessageRepository
    upload_batches: SqlUploadBatchRepository
    audit_log: SqlAuditLog
    learning_profiles: SqlLearningProfileRepository
    pronunciation_analyses: SqlPronunciationAnalysisRepository
    assessments: SqlAssessmentRepository
    learning_settings: SqlLearningSettingsRepository
    statistics: SqlLearningStatistics
    review_items: SqlReviewItemRepository
    learning_plans: SqlLearningPlanRepository
    learner_progress: SqlLearnerProgressRepository
    daily_activity: SqlDailyActivityRepository
    achievements: SqlAchievementRepository
    topic_attempts: SqlTopicAttemptRepository
    classrooms: SqlClassroomRepository
    class_members: SqlClassMemberRepository
    courses: SqlCourseRepository
    chapters: SqlChapterRepository
    quizzes: SqlQuizRepository
    quiz_attempts: SqlQuizAttemptRepository
    course_progress: SqlCourseProgressRepository
    subscriptions: SqlSubscriptionRepository
    course_search: SqlCourseSearch
    hybrid_usage: SqlHybridUsageRepository
    outbox: SqlOutbox
    handled_events: SqlHandledEvents

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        on_outbox_commit: Callable[[], None] | None = None,
        on_catalogue_commit: Callable[[], Awaitable[None]] | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        """`on_outbox_commit` is called after a commit that added events to the outbox
        (the relay's `wake`), `on_catalogue_commit` awaited after one that wrote tags or
        speeches (the catalogue cache's `changed`), before the use case returns.

        `read_only`: for use cases that only read, over sessions whose connections begin no
        transaction (`database.read_engine`): each statement sees what is committed when it
        runs, and no BEGIN or ROLLBACK round trip is paid; `commit` raises."""
        self._session_factory = session_factory
        self._on_outbox_commit = on_outbox_commit
        self._on_catalogue_commit = on_catalogue_commit
        self._read_only = read_only
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use")
        session = self._session = self._session_factory()
        self.users = SqlUserRepository(session)
        self.login_sessions = SqlLoginSessionRepository(session)
        self.password_resets = SqlPasswordResetRepository(session)
        self.tags = SqlTagRepository(session)
        self.speeches = SqlSpeechRepository(session)
        self.game_sessions = SqlGameSessionRepository(session)
        self.conversations = SqlConversationRepository(session)
        self.messages = SqlMessageRepository(session)
        self.user_statuses = SqlUserStatusRepository(session)
        self.tutor_sessions = SqlTutorSessionRepository(session)
        self.tutor_messages = SqlTutorMessageRepository(session)
        self.upload_batches = SqlUploadBatchRepository(session)
        self.audit_log = SqlAuditLog(session)
        self.learning_profiles = SqlLearningProfileRepository(session)
        self.pronunciation_analyses = SqlPronunciationAnalysisRepository(session)
        self.assessments = SqlAssessmentRepository(session)
        self.learning_settings = SqlLearningSettingsRepository(session)
        self.statistics = SqlLearningStatistics(session)
        self.review_items = SqlReviewItemRepository(session)
        self.learning_plans = SqlLearningPlanRepository(session)
        self.learner_progress = SqlLearnerProgressRepository(session)
        self.daily_activity = SqlDailyActivityRepository(session)
        self.topic_attempts = SqlTopicAttemptRepository(session)
        self.classrooms = SqlClassroomRepository(session)
        self.class_members = SqlClassMemberRepository(session)
        self.achievements = SqlAchievementRepository(session)
        self.courses = SqlCourseRepository(session)
        self.chapters = SqlChapterRepository(session)
        self.quizzes = SqlQuizRepository(session)
        self.quiz_attempts = SqlQuizAttemptRepository(session)
        self.course_progress = SqlCourseProgressRepository(session)
        self.subscriptions = SqlSubscriptionRepository(session)
        self.course_search = SqlCourseSearch(session)
        self.hybrid_usage = SqlHybridUsageRepository(session)
        self.outbox = SqlOutbox(session)
        self.handled_events = SqlHandledEvents(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            # close() rolls back whatever was not committed and returns the connection. It is
            # shielded: Ray Serve cancels a request whose client went away, and a close cut
            # short would leave the connection checked out, its transaction (and on SQLite
            # the write lock) open.
            await asyncio.shield(session.close())
        if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError):
            # Unreachable (asyncpg raises ConnectionError unwrapped), locked or out of
            # connections: the database is unavailable (503), which a client may retry;
            # nothing was written.
            raise ServiceUnavailable("The database is unavailable; try again") from exc

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit() outside `async with`")
        if self._read_only:
            raise RuntimeError("commit() in a read-only unit of work")
        await self._session.commit()
        if self.outbox.added:
            self.outbox.added = False
            if self._on_outbox_commit is not None:
                self._on_outbox_commit()
        if self.tags.written or self.speeches.written:
            self.tags.written = self.speeches.written = False
            if self._on_catalogue_commit is not None:
                await self._on_catalogue_commit()
