"""Rules of the courses context: grading, streaks, premium access and search queries."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

from domain.errors import InvalidInput
from ports.courses import Plan, PremiumFeature, Question, Quiz, Streak, Subscription

# 003's passing score: seven answers right out of ten. Scores are compared as fractions, so
# that 7 of 10 passes exactly (the float 0.7 is a little less than seven tenths).
PASSING_SCORE = 0.7

# A search query is a few words someone types: more than a sentence is not a search, and
# every term costs the index a lookup.
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 12
# Characters that mean something to PostgreSQL's tsquery or SQLite's FTS5 query syntax;
# a query is words only, so one holding them is refused rather than half-understood.
QUERY_OPERATORS = frozenset('"*^():{}[]|&!<>+~\\@#=;%$')
SEARCH_LIMIT_DEFAULT = 10
MAX_SEARCH_LIMIT = 50

_WORD = re.compile(r"[^\W_]+")
# Words too common to tell chapters apart: PostgreSQL's english configuration drops them,
# SQLite's FTS5 and the in-memory search would rank by them. A query of nothing else keeps
# them (a search for "the" finds what holds "the").
STOP_WORDS = frozenset(
    "a an and are as at be but by can could did do does for from had has have how i if in "
    "is it its me my of on or our she so than that the their them then there these they "
    "this to us was we were what when where which who why will with would you your".split()
)


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    given: int | None

    @property
    def correct(self) -> bool:
        return self.given == self.question.answer


@dataclass(frozen=True)
class Grade:
    score: float
    passed: bool
    correct_count: int
    results: list[QuestionResult]


def grade(quiz: Quiz, answers: dict[str, int]) -> Grade:
    """Grades `answers` (question id -> choice index) against the quiz. A question left
    unanswered is wrong; an answer to a question the quiz lacks, or a choice out of range,
    is InvalidInput."""
    questions = {q.id: q for q in quiz.questions}
    unknown = sorted(set(answers) - questions.keys())
    if unknown:
        raise InvalidInput("answers name questions this quiz does not have", {"questions": unknown})
    for question_id, choice in answers.items():
        if not 0 <= choice < len(questions[question_id].choices):
            raise InvalidInput(
                f"answer to {question_id} must be a choice index from 0 to "
                f"{len(questions[question_id].choices) - 1}",
                {"field": "answers", "question": question_id},
            )
    results = [QuestionResult(q, answers.get(q.id)) for q in quiz.questions]
    correct = sum(r.correct for r in results)
    share = Fraction(correct, len(results)) if results else Fraction(0)
    # The stored passing score is a float: read back as the fraction it stands for.
    passing = Fraction(quiz.passing_score).limit_denominator(1000)
    return Grade(float(share), share >= passing, correct, results)


def extended_streak(streak: Streak, today: date, now: datetime) -> Streak:
    """The streak after a chapter completed `today`: unchanged on a day already counted,
    one more the day after the last, back to one after a day without."""
    if streak.last_active_on == today:
        return streak
    if streak.last_active_on == today - timedelta(days=1):
        days = streak.current_days + 1
    else:
        days = 1
    return Streak(streak.user_id, days, max(days, streak.longest_days), today, now)


def reset_streak(streak: Streak, now: datetime) -> Streak:
    """The streak back to zero; the longest one is kept, as a record."""
    return Streak(streak.user_id, 0, streak.longest_days, None, now)


def is_premium(subscription: Subscription, now: datetime) -> bool:
    return (
        subscription.plan is Plan.PREMIUM
        and subscription.is_active
        and subscription.start_date <= now
        and (subscription.end_date is None or now < subscription.end_date)
    )


def search_terms(query: str) -> list[str]:
    """The words of a search query; InvalidInput for a query that is empty, too long, holds
    search operators, or too many words."""
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(f"q must be at most {MAX_QUERY_CHARS} characters", {"field": "q"})
    operators = sorted(set(query) & QUERY_OPERATORS)
    if operators:
        raise InvalidInput(
            "q takes words only, no search operators", {"field": "q", "characters": operators}
        )
    words = list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))
    if not words:
        raise InvalidInput("q must contain a word", {"field": "q"})
    terms = [w for w in words if w not in STOP_WORDS] or words
    if len(terms) > MAX_QUERY_TERMS:
        raise InvalidInput(f"q must have at most {MAX_QUERY_TERMS} words", {"field": "q"})
    return terms


def check_search_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_SEARCH_LIMIT}", {"field": "limit"})


# 003's daily allowance of each premium feature, per user: the dearer the request, the fewer.
DAILY_LIMITS = {
    PremiumFeature.ADAPTIVE_LEARNING: 5,
    PremiumFeature.LLM_ASSESSMENT: 10,
    PremiumFeature.SYNTHESIS: 3,
    PremiumFeature.MENTOR_SESSION: 2,
}
# What a premium answer draws on: a few chapters, a couple of sentences of each, so that the
# retrieved text fits a small model's context and the model's part stays short.
MAX_SOURCES = 3
SENTENCES_PER_SOURCE = 2
# Short words and these common ones say nothing about a chapter's subject.
_MIN_KEY_WORD = 4
_COMMON = frozenset(
    "about after also because been before being could does each from have into just like "
    "make many more most much only other over said same should some such than that their "
    "them then there these they this those very what when where which while will with "
    "would your you".split()
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')])\s+")


def month_of(moment: datetime) -> str:
    """003's month_year (YYYY-MM) of an instant, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def seconds_until_tomorrow(moment: datetime) -> int:
    """Until the daily limits renew: the next midnight, UTC (at least one second)."""
    now = moment.astimezone(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), UTC)
    return max(1, int((midnight - now).total_seconds() + 0.999))


def to_micro_usd(price_usd: float) -> int:
    return round(price_usd * 1_000_000)


_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """A crude English stem: without one common ending, then its first five letters, so that
    "vowels", "vowel", "stress" and "stressed" meet; enough to match and pick sentences."""
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:5]


def key_sentences(text: str, terms: list[str], count: int = SENTENCES_PER_SOURCE) -> list[str]:
    """The `count` sentences of `text` that hold the most of `terms`, in text order (the
    first sentences when none holds any)."""
    sentences = [s.strip() for s in _SENTENCE.split(text.replace("\n", " ")) if s.strip()]
    best = set(best_sentences(sentences, terms, count))
    return [s for s in sentences if s in best]


def best_sentences(sentences: list[str], terms: list[str], count: int) -> list[str]:
    """The `count` sentences that hold the most of `terms`, best first (earlier first among
    equals)."""
    stems = {stem(t) for t in terms}
    order = sorted(
        range(len(sentences)),
        key=lambda n: (-sum(stem(w) in stems for w in _WORD.findall(sentences[n])), n),
    )
    return [sentences[n] for n in order[:count]]


def key_words(text: str) -> list[str]:
    """The words of `text` that carry its subject: long ones, not the most common, once."""
    words = (w.lower() for w in _WORD.findall(text))
    return list(dict.fromkeys(w for w in words if len(w) >= _MIN_KEY_WORD and w not in _COMMON))


def coverage(answer: str, points: list[str]) -> tuple[float, list[str]]:
    """How many of the key `points` (words) the answer uses, as a share, and those it
    misses."""
    used = {stem(w) for w in _WORD.findall(answer)}
    missing = [p for p in points if stem(p) not in used]
    share = (len(points) - len(missing)) / len(points) if points else 0.0
    return round(share, 2), missing
