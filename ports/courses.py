"""Ports of the courses context (003): courses and their chapters, quizzes and attempts, a
learner's chapter completions and streak, subscriptions, and search over the course text.

Courses, chapters and quizzes have readable ids (`everyday-conversation`, ...), as 003's
string ids; what learners create (attempts, subscriptions) has UUIDs."""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from ports.cefr import CefrLevel


@dataclass
class Course:
    """`premium`: its chapters and quizzes need an active premium subscription.
    `prerequisites`: ids of the courses to complete before completing chapters of this one."""

    id: str
    title: str
    description: str
    level: CefrLevel
    premium: bool
    prerequisites: list[str]
    created_at: datetime
    updated_at: datetime


@dataclass
class Chapter:
    """`position` orders the chapters of a course, from 1."""

    id: str
    course_id: str
    title: str
    content: str
    position: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Question:
    """A multiple-choice question: `answer` is the index of the right one of `choices`."""

    id: str
    prompt: str
    choices: list[str]
    answer: int
    explanation: str


@dataclass
class Quiz:
    id: str
    course_id: str
    chapter_id: str
    title: str
    questions: list[Question]
    passing_score: float
    created_at: datetime
    updated_at: datetime


@dataclass
class QuizAttempt:
    """`answers` maps a question id to the index of the choice given; `score` is the share
    of questions answered right, 0 to 1."""

    id: UUID
    user_id: UUID
    quiz_id: str
    answers: dict[str, int]
    score: float
    passed: bool
    completed_at: datetime


@dataclass(frozen=True)
class ChapterCompletion:
    user_id: UUID
    course_id: str
    chapter_id: str
    completed_at: datetime


@dataclass
class Streak:
    """Consecutive days (UTC) on which the learner completed a chapter; `last_active_on` is
    the latest of them, None before the first or after a reset."""

    user_id: UUID
    current_days: int
    longest_days: int
    last_active_on: date | None
    updated_at: datetime


class Plan(StrEnum):
    FREE = "free"
    PREMIUM = "premium"


@dataclass
class Subscription:
    """A plan from `start_date` until `end_date` (open-ended when None); `is_active` is False
    once an admin ended it."""

    id: UUID
    user_id: UUID
    plan: Plan
    start_date: datetime
    end_date: datetime | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class SearchKind(StrEnum):
    COURSE = "course"
    CHAPTER = "chapter"


@dataclass(frozen=True)
class SearchHit:
    """One match: for a chapter `course_id` is its course's id, for a course its own id.
    `snippet` is a short excerpt with the matched words between <b> and </b>; `rank` is the
    backend's relevance, larger is better, comparable only within one answer."""

    kind: SearchKind
    id: str
    course_id: str
    title: str
    snippet: str
    rank: float = field(compare=False)


class PremiumFeature(StrEnum):
    """003's metered premium features; the values are 003's HybridUsage column names."""

    ADAPTIVE_LEARNING = "adaptive_learning"
    LLM_ASSESSMENT = "llm_assessment"
    SYNTHESIS = "synthesis"
    MENTOR_SESSION = "mentor_sessions"


@dataclass
class HybridUsage:
    """003's monthly record of a user's premium requests: one count per feature and the
    cost of the requests, in millionths of a US dollar (exact sums of small prices)."""

    user_id: UUID
    month_year: str
    """YYYY-MM, in UTC."""
    counts: dict[PremiumFeature, int]
    cost_micro_usd: int
    updated_at: datetime


class CourseRepository(Protocol):
    async def add(self, course: Course) -> None:
        """Stores a new course; Conflict when its id is taken."""

    async def get(self, course_id: str) -> Course | None: ...

    async def list(self) -> list[Course]:
        """Every course, by title."""


class ChapterRepository(Protocol):
    async def add(self, chapter: Chapter) -> None:
        """Stores a new chapter; Conflict when its id, or its position in its course, is
        taken."""

    async def get(self, chapter_id: str) -> Chapter | None: ...

    async def list_for_course(self, course_id: str) -> list[Chapter]:
        """The course's chapters by position."""

    async def count_by_course(self) -> dict[str, int]:
        """How many chapters each course has (courses without chapters are left out)."""


class QuizRepository(Protocol):
    async def add(self, quiz: Quiz) -> None:
        """Stores a new quiz with its questions in order; Conflict when its id is taken."""

    async def get(self, quiz_id: str) -> Quiz | None: ...

    async def list_for_course(self, course_id: str) -> list[Quiz]:
        """The course's quizzes in the order of their chapters."""


class QuizAttemptRepository(Protocol):
    async def add(self, attempt: QuizAttempt) -> None: ...

    async def list_for(self, user_id: UUID, quiz_id: str) -> list[QuizAttempt]:
        """The user's attempts at the quiz, newest first."""

    async def best_scores(self, user_id: UUID) -> dict[str, float]:
        """The user's best score per quiz attempted."""


class CourseProgressRepository(Protocol):
    async def complete(self, completion: ChapterCompletion) -> bool:
        """Records that the user completed the chapter; False (and nothing written) when it
        was already recorded, so that a repeated request counts once."""

    async def completions(self, user_id: UUID) -> list[ChapterCompletion]:
        """Every chapter the user completed, oldest first."""

    async def streak(self, user_id: UUID) -> Streak | None: ...

    async def save_streak(self, streak: Streak) -> None:
        """Stores the user's streak, replacing the one stored."""


class SubscriptionRepository(Protocol):
    async def add(self, subscription: Subscription) -> None: ...

    async def list_for_user(self, user_id: UUID) -> list[Subscription]:
        """The user's subscriptions, newest `start_date` first."""

    async def update(self, subscription: Subscription) -> None:
        """Writes the subscription's end date, activity and update time; NotFound when gone."""


class CourseSearch(Protocol):
    """Full-text search over course titles and descriptions and chapter titles and text.
    `terms` are words (letters and digits only, at least one); a text matches when it holds
    any of them, titles weigh more than bodies, and the best matches come first."""

    async def search_courses(self, terms: list[str], limit: int) -> list[SearchHit]: ...

    async def search_chapters(self, terms: list[str], limit: int) -> list[SearchHit]: ...


class HybridUsageRepository(Protocol):
    async def claim(self, user_id: UUID, feature: PremiumFeature, day: date, limit: int) -> bool:
        """Counts one request of the feature on the day (UTC) unless `limit` are counted
        already; False (and nothing counted) then. Atomic: of concurrent claims for the last
        request of the day, exactly one succeeds."""

    async def release(self, user_id: UUID, feature: PremiumFeature, day: date) -> None:
        """Uncounts one request of the day, whose provider failed (never below zero)."""

    async def used_on(self, user_id: UUID, day: date) -> dict[PremiumFeature, int]:
        """The requests counted on the day, per feature (features without any left out)."""

    async def charge(
        self,
        user_id: UUID,
        month_year: str,
        feature: PremiumFeature,
        cost_micro_usd: int,
        at: datetime,
    ) -> None:
        """Adds one request of the feature and its cost to the month's record, creating it
        on the month's first request; concurrent charges all count."""

    async def monthly(self, user_id: UUID, month_year: str) -> HybridUsage | None: ...
