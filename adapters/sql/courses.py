"""Repositories of the courses context over one AsyncSession, and its full-text search:
PostgreSQL's text search (a weighted tsvector, ts_rank, ts_headline) or SQLite's FTS5
(bm25, snippet()), chosen by the session's dialect."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, literal_column, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sql.rows import column_values, from_row, to_row
from adapters.sql.statements import insert_if_absent, insert_row, update_row, upsert
from adapters.sql.tables import (
    ChapterCompletionRow,
    ChapterRow,
    CourseRow,
    HybridUsageRow,
    LearningStreakRow,
    PremiumDailyUsageRow,
    QuizAttemptRow,
    QuizRow,
    SubscriptionRow,
    search_document,
)
from ports.cefr import CefrLevel
from ports.courses import (
    Chapter,
    ChapterCompletion,
    Course,
    HybridUsage,
    Plan,
    PremiumFeature,
    Question,
    Quiz,
    QuizAttempt,
    SearchHit,
    SearchKind,
    Streak,
    Subscription,
)


class SqlCourseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, course: Course) -> None:
        row = to_row(CourseRow, course, level=CefrLevel(course.level).value)
        await insert_row(self._session, "course", row)

    async def get(self, course_id: str) -> Course | None:
        row = await self._session.get(CourseRow, course_id)
        return None if row is None else _course(row)

    async def list(self) -> list[Course]:
        rows = await self._session.scalars(
            select(CourseRow).order_by(CourseRow.title, CourseRow.id)
        )
        return [_course(row) for row in rows]


def _course(row: CourseRow) -> Course:
    return from_row(Course, row, level=CefrLevel(row.level), prerequisites=list(row.prerequisites))


class SqlChapterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, chapter: Chapter) -> None:
        await insert_row(self._session, "chapter", to_row(ChapterRow, chapter))

    async def get(self, chapter_id: str) -> Chapter | None:
        row = await self._session.get(ChapterRow, chapter_id)
        return None if row is None else from_row(Chapter, row)

    async def list_for_course(self, course_id: str) -> list[Chapter]:
        rows = await self._session.scalars(
            select(ChapterRow)
            .where(ChapterRow.course_id == course_id)
            .order_by(ChapterRow.position)
        )
        return [from_row(Chapter, row) for row in rows]

    async def count_by_course(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(ChapterRow.course_id, func.count()).group_by(ChapterRow.course_id)
        )
        return {course_id: count for course_id, count in rows.tuples()}


class SqlQuizRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, quiz: Quiz) -> None:
        row = to_row(QuizRow, quiz, questions=[asdict(q) for q in quiz.questions])
        await insert_row(self._session, "quiz", row)

    async def get(self, quiz_id: str) -> Quiz | None:
        row = await self._session.get(QuizRow, quiz_id)
        return None if row is None else _quiz(row)

    async def list_for_course(self, course_id: str) -> list[Quiz]:
        rows = await self._session.scalars(
            select(QuizRow)
            .join(ChapterRow, ChapterRow.id == QuizRow.chapter_id)
            .where(QuizRow.course_id == course_id)
            .order_by(ChapterRow.position, QuizRow.id)
        )
        return [_quiz(row) for row in rows]


def _quiz(row: QuizRow) -> Quiz:
    return from_row(Quiz, row, questions=[Question(**q) for q in row.questions])


class SqlQuizAttemptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, attempt: QuizAttempt) -> None:
        await insert_row(self._session, "quiz attempt", to_row(QuizAttemptRow, attempt))

    async def list_for(self, user_id: UUID, quiz_id: str) -> list[QuizAttempt]:
        rows = await self._session.scalars(
            select(QuizAttemptRow)
            .where(QuizAttemptRow.user_id == user_id, QuizAttemptRow.quiz_id == quiz_id)
            # id breaks ties so that the order is stable.
            .order_by(QuizAttemptRow.completed_at.desc(), QuizAttemptRow.id.desc())
        )
        return [from_row(QuizAttempt, row, answers=dict(row.answers)) for row in rows]

    async def best_scores(self, user_id: UUID) -> dict[str, float]:
        rows = await self._session.execute(
            select(QuizAttemptRow.quiz_id, func.max(QuizAttemptRow.score))
            .where(QuizAttemptRow.user_id == user_id)
            .group_by(QuizAttemptRow.quiz_id)
        )
        return {quiz_id: score for quiz_id, score in rows.tuples()}


class SqlCourseProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def complete(self, completion: ChapterCompletion) -> bool:
        values = column_values(completion, "user_id", "chapter_id", "course_id", "completed_at")
        statement = insert_if_absent(
            self._session, ChapterCompletionRow, values, ["user_id", "chapter_id"]
        )
        result = await self._session.execute(statement)
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def completions(self, user_id: UUID) -> list[ChapterCompletion]:
        rows = await self._session.scalars(
            select(ChapterCompletionRow)
            .where(ChapterCompletionRow.user_id == user_id)
            .order_by(ChapterCompletionRow.completed_at, ChapterCompletionRow.chapter_id)
        )
        return [from_row(ChapterCompletion, row) for row in rows]

    async def streak(self, user_id: UUID) -> Streak | None:
        row = await self._session.get(LearningStreakRow, user_id)
        return None if row is None else from_row(Streak, row)

    async def save_streak(self, streak: Streak) -> None:
        values = column_values(
            streak, "user_id", "current_days", "longest_days", "last_active_on", "updated_at"
        )
        await self._session.execute(upsert(self._session, LearningStreakRow, values, ["user_id"]))


class SqlSubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, subscription: Subscription) -> None:
        row = to_row(SubscriptionRow, subscription, plan=Plan(subscription.plan).value)
        await insert_row(self._session, "subscription", row)

    async def list_for_user(self, user_id: UUID) -> list[Subscription]:
        rows = await self._session.scalars(
            select(SubscriptionRow)
            .where(SubscriptionRow.user_id == user_id)
            .order_by(SubscriptionRow.start_date.desc(), SubscriptionRow.id.desc())
        )
        return [from_row(Subscription, row, plan=Plan(row.plan)) for row in rows]

    async def update(self, subscription: Subscription) -> None:
        values = column_values(subscription, "end_date", "is_active", "updated_at")
        await update_row(self._session, "subscription", SubscriptionRow, subscription.id, values)


class SqlHybridUsageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, user_id: UUID, feature: PremiumFeature, day: date, limit: int) -> bool:
        # One statement: the row is created at 1 or raised by one while under the limit.
        # PostgreSQL locks the row and re-checks `where` on its newest version; SQLite runs
        # one writer at a time. Either way, of two claims for the last request one updates.
        row = PremiumDailyUsageRow
        values = {"user_id": user_id, "day": day, "feature": feature.value, "count": 1}
        statement = upsert(
            self._session,
            row,
            values,
            ["user_id", "day", "feature"],
            changes={"count": row.count + 1},
            where=row.count < limit,
        )
        result = await self._session.execute(statement)
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def release(self, user_id: UUID, feature: PremiumFeature, day: date) -> None:
        row = PremiumDailyUsageRow
        await self._session.execute(
            update(row)
            .where(row.user_id == user_id, row.day == day, row.feature == feature.value)
            .where(row.count > 0)
            .values(count=row.count - 1)
        )

    async def used_on(self, user_id: UUID, day: date) -> dict[PremiumFeature, int]:
        row = PremiumDailyUsageRow
        rows = await self._session.execute(
            select(row.feature, row.count).where(
                row.user_id == user_id, row.day == day, row.count > 0
            )
        )
        return {PremiumFeature(feature): count for feature, count in rows.tuples()}

    async def charge(
        self,
        user_id: UUID,
        month_year: str,
        feature: PremiumFeature,
        cost_micro_usd: int,
        at: datetime,
    ) -> None:
        row = HybridUsageRow
        counts = {f.value: int(f is feature) for f in PremiumFeature}
        values = {
            "user_id": user_id,
            "month_year": month_year,
            **counts,
            "cost_micro_usd": cost_micro_usd,
            "created_at": at,
            "updated_at": at,
        }
        column = getattr(row, feature.value)
        changes = {
            feature.value: column + 1,
            "cost_micro_usd": row.cost_micro_usd + cost_micro_usd,
            "updated_at": at,
        }
        await self._session.execute(
            upsert(self._session, row, values, ["user_id", "month_year"], changes=changes)
        )

    async def monthly(self, user_id: UUID, month_year: str) -> HybridUsage | None:
        row = await self._session.get(HybridUsageRow, (user_id, month_year))
        if row is None:
            return None
        counts = {f: getattr(row, f.value) for f in PremiumFeature}
        return HybridUsage(user_id, month_year, counts, row.cost_micro_usd, row.updated_at)


# The snippet's length in words, in both dialects.
SNIPPET_WORDS = 16
_HEADLINE = f"StartSel=<b>, StopSel=</b>, MaxWords={SNIPPET_WORDS}, MinWords=6, ShortWord=2"
# bm25 weights of the FTS5 columns (ref, course_id, title, body): a title word weighs ten
# body words, near PostgreSQL's A (1.0) against B (0.4) after length normalization.
_BM25_WEIGHTS = "0, 0, 10.0, 1.0"
_FTS5_INDEX = {SearchKind.COURSE: "course_search", SearchKind.CHAPTER: "chapter_search"}


class SqlCourseSearch:
    """ports.courses.CourseSearch on PostgreSQL or SQLite, as the session's engine is."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def search_courses(self, terms: list[str], limit: int) -> list[SearchHit]:
        if self._dialect == "sqlite":
            return await self._fts5(SearchKind.COURSE, terms, limit)
        return await self._postgresql(
            SearchKind.COURSE, CourseRow.id, CourseRow.title, "description", terms, limit
        )

    async def search_chapters(self, terms: list[str], limit: int) -> list[SearchHit]:
        if self._dialect == "sqlite":
            return await self._fts5(SearchKind.CHAPTER, terms, limit)
        return await self._postgresql(
            SearchKind.CHAPTER, ChapterRow.course_id, ChapterRow.title, "content", terms, limit
        )

    @property
    def _dialect(self) -> str:
        return self._session.get_bind().dialect.name

    async def _postgresql(
        self, kind: SearchKind, course_id: Any, title: Any, body: str, terms: list[str], limit: int
    ) -> list[SearchHit]:
        table = title.class_
        # Each term its own plainto_tsquery: a term is a bound value, never query syntax.
        queries = [func.plainto_tsquery(literal_column("'english'"), term) for term in terms]
        query = queries[0]
        for more in queries[1:]:
            query = query.op("||")(more)
        document = search_document("title", body)
        rank = func.ts_rank(document, query)
        rows = await self._session.execute(
            select(
                table.id,
                course_id,
                title,
                func.ts_headline(
                    literal_column("'english'"), getattr(table, body), query, _HEADLINE
                ),
                rank,
            )
            .where(document.op("@@")(query))
            .order_by(rank.desc(), table.id)
            .limit(limit)
        )
        return [SearchHit(kind, *row) for row in rows.tuples()]

    async def _fts5(self, kind: SearchKind, terms: list[str], limit: int) -> list[SearchHit]:
        # Every term quoted (an FTS5 string, its quotes doubled), so none is read as syntax.
        match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
        index = _FTS5_INDEX[kind]
        bm25 = f"bm25({index}, {_BM25_WEIGHTS})"
        rows = await self._session.execute(
            text(
                "SELECT ref, course_id, title, "
                f"snippet({index}, 3, '<b>', '</b>', '…', {SNIPPET_WORDS}), -{bm25} "
                f"FROM {index} WHERE {index} MATCH :match ORDER BY {bm25}, ref LIMIT :limit"
            ),
            {"match": match, "limit": limit},
        )
        return [SearchHit(kind, *row) for row in rows.tuples()]
