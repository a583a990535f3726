"""003's premium AI features, metered: an adaptive learning path, an assessment of a written
answer, a synthesis across chapters, and a mentor's answer. Each needs an active premium
subscription and has a daily limit per user; a request is counted before the model is asked
(so that of two requests racing for the last one, one passes) and uncounted when the model
fails, and a request answered is charged to the month's usage record.

The answers are built from the courses' own text, found through the search port: the
retrieved sentences that answer best come as `key_points`, and the model only adds a
sentence on them, which is what a 135M offline model can do (and may get wrong: its sentence
is kept apart from the course's words). Every answer cites the chapters it used."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.courses.access import require_access, require_course, require_premium, require_self
from domain.courses.rules import (
    DAILY_LIMITS,
    MAX_SOURCES,
    PASSING_SCORE,
    best_sentences,
    coverage,
    key_sentences,
    key_words,
    month_of,
    search_terms,
    seconds_until_tomorrow,
    to_micro_usd,
)
from domain.errors import NotFound, QuotaExceeded
from ports.courses import Chapter, HybridUsage, PremiumFeature
from ports.language_model import ChatMessage, LanguageModel, Role
from ports.unit_of_work import CoursesUnitOfWork

# The model's part: a couple of sentences, kept close to the notes it is given.
MAX_MODEL_TOKENS = 80
MODEL_TEMPERATURE = 0.2
MAX_MODEL_SENTENCES = 2
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class PremiumModel:
    """The language model premium answers use and the price of one request to it (USD),
    charged to the monthly usage record."""

    model: LanguageModel
    price_usd: float


@dataclass(frozen=True)
class Source:
    """A chapter an answer drew on, and the sentences of it that it used."""

    chapter_id: str
    course_id: str
    title: str
    excerpt: list[str]


@dataclass(frozen=True)
class PathStep:
    source: Source
    reason: str


@dataclass(frozen=True)
class LearningPath:
    course_id: str
    steps: list[PathStep]
    key_points: list[str]
    advice: str
    provider: str


@dataclass(frozen=True)
class Assessment:
    chapter: Source
    coverage: float
    """The share of the chapter's key points on the question that the answer uses, 0 to 1."""
    missing_points: list[str]
    key_points: list[str]
    feedback: str
    provider: str


@dataclass(frozen=True)
class Synthesis:
    topic: str
    sources: list[Source]
    key_points: list[str]
    summary: str
    provider: str


@dataclass(frozen=True)
class MentorReply:
    reply: str
    sources: list[Source]
    key_points: list[str]
    provider: str


@dataclass(frozen=True)
class UsageReport:
    month_year: str
    usage: HybridUsage
    used_today: dict[PremiumFeature, int]


async def plan_learning_path(
    user_id: UUID, course_id: str, goal: str | None, premium: PremiumModel, uow: CoursesUnitOfWork
) -> LearningPath:
    """The next steps in a course: chapters whose quiz is not passed yet first (review),
    then the chapters not completed, in order; with a goal, the chapters that match it."""
    feature, now = PremiumFeature.ADAPTIVE_LEARNING, datetime.now(UTC)
    goal_terms = search_terms(goal) if goal else []
    async with uow:
        await require_premium(uow.subscriptions, user_id, now)
        course = await require_course(uow.courses, course_id)
        await require_access(course, user_id, uow.subscriptions, now)
        chapters = await uow.chapters.list_for_course(course_id)
        done = {c.chapter_id for c in await uow.course_progress.completions(user_id)}
        best = await uow.quiz_attempts.best_scores(user_id)
        quiz_of = {q.chapter_id: q.id for q in await uow.quizzes.list_for_course(course_id)}
        steps = [
            PathStep(_source(c, goal_terms), f"review: best quiz score {best[quiz_of[c.id]]:.0%}")
            for c in chapters
            if c.id in quiz_of and quiz_of[c.id] in best and best[quiz_of[c.id]] < PASSING_SCORE
        ]
        steps += [
            PathStep(_source(c, goal_terms), "next: not completed yet")
            for c in chapters
            if c.id not in done and c.id not in {s.source.chapter_id for s in steps}
        ]
        steps = steps[:MAX_SOURCES]
        if goal_terms:
            taken = {s.source.chapter_id for s in steps}
            for found in await _retrieve(goal_terms, uow):
                if found.chapter_id not in taken and len(steps) < MAX_SOURCES + 1:
                    steps.append(PathStep(found, "matches your goal"))
        await _claim(uow, user_id, feature, now)
        await uow.commit()
    if steps:
        task = "What will the learner study in these chapters?"
    else:
        task = "The learner finished the course: what did they learn?"
    sources = [s.source for s in steps]
    advice = await _ask(premium, task, sources, user_id, feature, now, uow)
    points = _key_points(sources, goal_terms)
    return LearningPath(course_id, steps, points, advice, premium.model.provider)


async def assess_answer(
    user_id: UUID,
    chapter_id: str,
    question: str,
    answer: str,
    premium: PremiumModel,
    uow: CoursesUnitOfWork,
) -> Assessment:
    """How much of what the chapter says on the question the learner's answer covers, and a
    sentence of feedback."""
    feature, now = PremiumFeature.LLM_ASSESSMENT, datetime.now(UTC)
    terms = search_terms(question)
    async with uow:
        await require_premium(uow.subscriptions, user_id, now)
        chapter = await uow.chapters.get(chapter_id)
        if chapter is None:
            raise NotFound("Chapter not found")
        await require_access(
            await require_course(uow.courses, chapter.course_id), user_id, uow.subscriptions, now
        )
        await _claim(uow, user_id, feature, now)
        await uow.commit()
    source = _source(chapter, terms)
    asked = set(terms)
    points = [w for w in key_words(" ".join(source.excerpt)) if w not in asked]
    share, missing = coverage(answer, points)
    task = f'Is this answer to "{question}" right: "{answer}"?'
    feedback = await _ask(premium, task, [source], user_id, feature, now, uow)
    return Assessment(source, share, missing[:5], source.excerpt, feedback, premium.model.provider)


async def synthesize_chapters(
    user_id: UUID, topic: str, premium: PremiumModel, uow: CoursesUnitOfWork
) -> Synthesis:
    """What the chapters of every course say about a topic, and how it connects."""
    feature, now = PremiumFeature.SYNTHESIS, datetime.now(UTC)
    sources = await _claimed_sources(user_id, feature, topic, now, uow)
    task = f"What do these notes teach about {topic}?"
    summary = await _ask(premium, task, sources, user_id, feature, now, uow)
    points = _key_points(sources, search_terms(topic))
    return Synthesis(topic, sources, points, summary, premium.model.provider)


async def ask_mentor(
    user_id: UUID, message: str, premium: PremiumModel, uow: CoursesUnitOfWork
) -> MentorReply:
    """A mentor's short answer to the learner's question from the chapters that cover it,
    and those chapters to read next."""
    feature, now = PremiumFeature.MENTOR_SESSION, datetime.now(UTC)
    sources = await _claimed_sources(user_id, feature, message, now, uow)
    reply = await _ask(premium, message, sources, user_id, feature, now, uow)
    points = _key_points(sources, search_terms(message))
    return MentorReply(reply, sources, points, premium.model.provider)


async def get_usage(caller_id: UUID, user_id: UUID, uow: CoursesUnitOfWork) -> UsageReport:
    """The month's premium requests and their cost, and today's requests against the daily
    limits; the caller's own only."""
    require_self(caller_id, user_id)
    now = datetime.now(UTC)
    month = month_of(now)
    async with uow:
        usage = await uow.hybrid_usage.monthly(user_id, month)
        used_today = await uow.hybrid_usage.used_on(user_id, now.date())
    if usage is None:
        usage = HybridUsage(user_id, month, {f: 0 for f in PremiumFeature}, 0, now)
    return UsageReport(month, usage, used_today)


async def _claimed_sources(
    user_id: UUID, feature: PremiumFeature, text: str, now: datetime, uow: CoursesUnitOfWork
) -> list[Source]:
    """The chapters that match `text`, for a premium user whose request is then counted;
    NotFound (and nothing counted) when none does."""
    terms = search_terms(text)
    async with uow:
        await require_premium(uow.subscriptions, user_id, now)
        sources = await _retrieve(terms, uow)
        if not sources:
            raise NotFound("No chapter covers this; try other words")
        await _claim(uow, user_id, feature, now)
        await uow.commit()
    return sources


async def _retrieve(terms: list[str], uow: CoursesUnitOfWork) -> list[Source]:
    found = await uow.course_search.search_chapters(terms, MAX_SOURCES)
    chapters = [await uow.chapters.get(hit.id) for hit in found]
    return [_source(c, terms) for c in chapters if c is not None]


def _key_points(sources: list[Source], terms: list[str]) -> list[str]:
    """The retrieved sentences that answer best: the course's own words, before the model's."""
    return best_sentences([s for source in sources for s in source.excerpt], terms, MAX_SOURCES)


def _source(chapter: Chapter, terms: list[str]) -> Source:
    return Source(
        chapter.id, chapter.course_id, chapter.title, key_sentences(chapter.content, terms)
    )


async def _claim(
    uow: CoursesUnitOfWork, user_id: UUID, feature: PremiumFeature, now: datetime
) -> None:
    limit = DAILY_LIMITS[feature]
    if not await uow.hybrid_usage.claim(user_id, feature, now.date(), limit):
        raise QuotaExceeded(
            f"The daily limit of {limit} {feature.value} requests is reached",
            seconds_until_tomorrow(now),
        )


async def _ask(
    premium: PremiumModel,
    task: str,
    sources: Iterable[Source],
    user_id: UUID,
    feature: PremiumFeature,
    now: datetime,
    uow: CoursesUnitOfWork,
) -> str:
    """The model's sentences on the notes; a failed request is uncounted, an answered one
    charged to the month of `now`."""
    notes = "\n".join(f"- {s.title}: {' '.join(s.excerpt)}" for s in sources) or "- (none)"
    # The wording a 135M model answered best with, of those tried: the notes first, then
    # the request as a question to answer from them in one sentence.
    messages = [
        ChatMessage(Role.SYSTEM, "You are a kind English teacher."),
        ChatMessage(
            Role.USER, f"Notes:\n{notes}\n\nUsing the notes, answer in one sentence: {task}"
        ),
    ]
    try:
        text = await premium.model.complete(
            messages, max_tokens=MAX_MODEL_TOKENS, temperature=MODEL_TEMPERATURE
        )
    except Exception:
        async with uow:
            await uow.hybrid_usage.release(user_id, feature, now.date())
            await uow.commit()
        raise
    async with uow:
        await uow.hybrid_usage.charge(
            user_id, month_of(now), feature, to_micro_usd(premium.price_usd), now
        )
        await uow.commit()
    return _whole_sentences(text)


def _whole_sentences(text: str) -> str:
    """The model's first sentences, cut where a sentence ends (a short budget of tokens may
    stop mid-sentence)."""
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    complete = [s for s in sentences if s[-1:] in ".!?"][:MAX_MODEL_SENTENCES]
    return " ".join(complete) or " ".join(text.split())
