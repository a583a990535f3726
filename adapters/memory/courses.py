"""Repositories of the courses context over the in-memory tables, and a search over them
with the SQL searches' semantics: any term matches, titles weigh more, best first."""

import re
from collections import Counter
from datetime import date, datetime
from uuid import UUID

from adapters.memory.tables import Tables, insert, loaded, update
from domain.courses.rules import stem
from ports.courses import (
    Chapter,
    ChapterCompletion,
    Course,
    HybridUsage,
    PremiumFeature,
    Quiz,
    QuizAttempt,
    SearchHit,
    SearchKind,
    Streak,
    Subscription,
)


class InMemoryCourseRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, course: Course) -> None:
        insert(self._tables.courses, course.id, course, "course")

    async def get(self, course_id: str) -> Course | None:
        return loaded(self._tables.courses.get(course_id))

    async def list(self) -> list[Course]:
        return loaded(sorted(self._tables.courses.values(), key=lambda c: (c.title, c.id)))


class InMemoryChapterRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, chapter: Chapter) -> None:
        insert(
            self._tables.chapters,
            chapter.id,
            chapter,
            "chapter",
            lambda c: (c.course_id, c.position),
        )

    async def get(self, chapter_id: str) -> Chapter | None:
        return loaded(self._tables.chapters.get(chapter_id))

    async def list_for_course(self, course_id: str) -> list[Chapter]:
        chapters = [c for c in self._tables.chapters.values() if c.course_id == course_id]
        return loaded(sorted(chapters, key=lambda c: c.position))

    async def count_by_course(self) -> dict[str, int]:
        return dict(Counter(c.course_id for c in self._tables.chapters.values()))


class InMemoryQuizRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, quiz: Quiz) -> None:
        insert(self._tables.quizzes, quiz.id, quiz, "quiz")

    async def get(self, quiz_id: str) -> Quiz | None:
        return loaded(self._tables.quizzes.get(quiz_id))

    async def list_for_course(self, course_id: str) -> list[Quiz]:
        chapters = self._tables.chapters
        quizzes = [q for q in self._tables.quizzes.values() if q.course_id == course_id]
        quizzes.sort(key=lambda q: (chapters[q.chapter_id].position, q.id))
        return loaded(quizzes)


class InMemoryQuizAttemptRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, attempt: QuizAttempt) -> None:
        insert(self._tables.quiz_attempts, attempt.id, attempt, "quiz attempt")

    async def list_for(self, user_id: UUID, quiz_id: str) -> list[QuizAttempt]:
        attempts = [
            a
            for a in self._tables.quiz_attempts.values()
            if a.user_id == user_id and a.quiz_id == quiz_id
        ]
        # id breaks ties, as in SQL.
        return loaded(sorted(attempts, key=lambda a: (a.completed_at, a.id), reverse=True))

    async def best_scores(self, user_id: UUID) -> dict[str, float]:
        best: dict[str, float] = {}
        for attempt in self._tables.quiz_attempts.values():
            if attempt.user_id == user_id:
                best[attempt.quiz_id] = max(best.get(attempt.quiz_id, 0.0), attempt.score)
        return best


class InMemoryCourseProgressRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def complete(self, completion: ChapterCompletion) -> bool:
        key = (completion.user_id, completion.chapter_id)
        if key in self._tables.chapter_completions:
            return False
        insert(self._tables.chapter_completions, key, completion, "chapter completion")
        return True

    async def completions(self, user_id: UUID) -> list[ChapterCompletion]:
        mine = [c for c in self._tables.chapter_completions.values() if c.user_id == user_id]
        return loaded(sorted(mine, key=lambda c: (c.completed_at, c.chapter_id)))

    async def streak(self, user_id: UUID) -> Streak | None:
        return loaded(self._tables.streaks.get(user_id))

    async def save_streak(self, streak: Streak) -> None:
        self._tables.streaks.pop(streak.user_id, None)
        insert(self._tables.streaks, streak.user_id, streak, "streak")


class InMemorySubscriptionRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, subscription: Subscription) -> None:
        insert(self._tables.subscriptions, subscription.id, subscription, "subscription")

    async def list_for_user(self, user_id: UUID) -> list[Subscription]:
        mine = [s for s in self._tables.subscriptions.values() if s.user_id == user_id]
        return loaded(sorted(mine, key=lambda s: (s.start_date, s.id), reverse=True))

    async def update(self, subscription: Subscription) -> None:
        update(
            self._tables.subscriptions,
            subscription.id,
            subscription,
            "subscription",
            keep=("user_id", "plan", "start_date", "created_at"),
        )


class InMemoryHybridUsageRepository:
    """Claims are atomic as SQL's conditional upsert is: a claim reads and writes without
    yielding to the event loop, so no other unit of work runs in between."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def claim(self, user_id: UUID, feature: PremiumFeature, day: date, limit: int) -> bool:
        key = (user_id, day, feature)
        used = self._tables.premium_daily_usage.get(key, 0)
        if used >= limit:
            return False
        self._tables.premium_daily_usage[key] = used + 1
        return True

    async def release(self, user_id: UUID, feature: PremiumFeature, day: date) -> None:
        key = (user_id, day, feature)
        used = self._tables.premium_daily_usage.get(key, 0)
        if used > 0:
            self._tables.premium_daily_usage[key] = used - 1

    async def used_on(self, user_id: UUID, day: date) -> dict[PremiumFeature, int]:
        return {
            feature: used
            for (user, on, feature), used in self._tables.premium_daily_usage.items()
            if user == user_id and on == day and used > 0
        }

    async def charge(
        self,
        user_id: UUID,
        month_year: str,
        feature: PremiumFeature,
        cost_micro_usd: int,
        at: datetime,
    ) -> None:
        key = (user_id, month_year)
        usage = self._tables.hybrid_usage.get(key) or HybridUsage(
            user_id, month_year, {f: 0 for f in PremiumFeature}, 0, at
        )
        counts = {**usage.counts, feature: usage.counts[feature] + 1}
        charged = HybridUsage(
            user_id, month_year, counts, usage.cost_micro_usd + cost_micro_usd, at
        )
        self._tables.hybrid_usage.pop(key, None)
        insert(self._tables.hybrid_usage, key, charged, "usage record")

    async def monthly(self, user_id: UUID, month_year: str) -> HybridUsage | None:
        return loaded(self._tables.hybrid_usage.get((user_id, month_year)))


_WORD = re.compile(r"[^\W_]+")
# Title matches weigh as SQL's do (setweight A against B in PostgreSQL, bm25 column weights
# in SQLite): a word in a title counts as much as several in a body.
TITLE_WEIGHT = 10
SNIPPET_WORDS = 16


class InMemoryCourseSearch:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def search_courses(self, terms: list[str], limit: int) -> list[SearchHit]:
        texts = [
            (SearchKind.COURSE, c.id, c.id, c.title, c.description)
            for c in self._tables.courses.values()
        ]
        return _best(texts, terms, limit)

    async def search_chapters(self, terms: list[str], limit: int) -> list[SearchHit]:
        texts = [
            (SearchKind.CHAPTER, c.id, c.course_id, c.title, c.content)
            for c in self._tables.chapters.values()
        ]
        return _best(texts, terms, limit)


def _best(
    texts: list[tuple[SearchKind, str, str, str, str]], terms: list[str], limit: int
) -> list[SearchHit]:
    stems = {stem(t) for t in terms}
    hits = []
    for kind, id, course_id, title, body in texts:
        in_title = sum(stem(w) in stems for w in _WORD.findall(title))
        body_words = _WORD.findall(body)
        in_body = sum(stem(w) in stems for w in body_words)
        if in_title or in_body:
            # Body matches count for less in a long body, as bm25 and ts_rank's length
            # normalization have it.
            rank = TITLE_WEIGHT * in_title + in_body / (1 + len(body_words) / 100)
            hits.append(SearchHit(kind, id, course_id, title, _snippet(body, stems), rank))
    hits.sort(key=lambda h: (-h.rank, h.id))
    return hits[:limit]


def _snippet(body: str, stems: set[str]) -> str:
    words = body.split()
    first = next((n for n, w in enumerate(words) if _matches(w, stems)), 0)
    start = max(first - SNIPPET_WORDS // 4, 0)
    shown = " ".join(words[start : start + SNIPPET_WORDS])
    return _WORD.sub(lambda m: f"<b>{m[0]}</b>" if stem(m[0]) in stems else m[0], shown)


def _matches(word: str, stems: set[str]) -> bool:
    return any(stem(w) in stems for w in _WORD.findall(word))
