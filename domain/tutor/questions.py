"""The tutor's question bank and its stage plans: what the tutor asks next, by the session's
topic, the learner's CEFR level and the stage of 000's English-only flow.

The shape (bands of levels, what each stage asks for, how a question is chosen) is the
product's and stated here; the words are content, read from a data file by the composition
root and checked by `check_question_bank`. A topic the bank does not know is taught from its
templates for any topic, which name the session's topic ("{topic}")."""

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from domain.curriculum.evaluation import content_words
from ports.cefr import CefrLevel
from ports.tutoring import Stage


class Band(StrEnum):
    """CEFR's three bands of users: a question written for a band suits both its levels."""

    BASIC = "basic"
    INDEPENDENT = "independent"
    PROFICIENT = "proficient"


BAND_OF_LEVEL = {
    CefrLevel.A1: Band.BASIC,
    CefrLevel.A2: Band.BASIC,
    CefrLevel.B1: Band.INDEPENDENT,
    CefrLevel.B2: Band.INDEPENDENT,
    CefrLevel.C1: Band.PROFICIENT,
    CefrLevel.C2: Band.PROFICIENT,
}
MIN_QUESTIONS = {"warm_up": 2, "words": 2, "practice": 2, "discussion": 6}
"""What every band of every topic holds at least."""
MIN_DISCUSSION = 16
"""Discussion questions the templates hold at least: a 20-turn session asks about 14, so a
topic the bank does not know is taught from the templates alone without asking one twice."""


@dataclass(frozen=True)
class Word:
    """A word the vocabulary stage teaches, with what it means in simple English."""

    word: str
    meaning: str


T = TypeVar("T", str, Word)


@dataclass(frozen=True)
class BandQuestions:
    warm_up: tuple[str, ...]
    """Friendly opening questions (greeting)."""
    words: tuple[Word, ...]
    """Words to teach (vocabulary)."""
    practice: tuple[str, ...]
    """Requests for one full sentence (sentence practice)."""
    discussion: tuple[str, ...]
    """Questions that keep the learner talking (topic discussion)."""


@dataclass(frozen=True)
class TopicQuestions:
    name: str
    aliases: tuple[str, ...]
    """Other words a session's topic may use for it ("trip" for travel)."""
    keywords: tuple[str, ...]
    """Words a reply on this topic is likely to use: the relevance check's vocabulary."""
    bands: dict[Band, BandQuestions]


@dataclass(frozen=True)
class QuestionBank:
    topics: tuple[TopicQuestions, ...]
    any_topic: dict[Band, BandQuestions]
    """Templates for every topic, "{topic}" standing for the session's."""

    def topic(self, name: str) -> TopicQuestions | None:
        """The bank's topic for a session's topic: its name or an alias among the session
        topic's words ("a trip to Lahore" -> travel), or None."""
        words = content_words(name)
        for topic in self.topics:
            if words & content_words(" ".join((topic.name, *topic.aliases))):
                return topic
        return None


def check_question_bank(bank: QuestionBank) -> QuestionBank:
    """The bank as given; ValueError when a band is missing or holds too few questions."""
    for owner, bands in [("any topic", bank.any_topic)] + [(t.name, t.bands) for t in bank.topics]:
        for band in Band:
            if band not in bands:
                raise ValueError(f"{owner}: no questions for the {band} band")
            for part, least in MIN_QUESTIONS.items():
                if len(getattr(bands[band], part)) < least:
                    raise ValueError(f"{owner}, {band}: fewer than {least} {part}")
    for band, templates in bank.any_topic.items():
        if len(templates.discussion) < MIN_DISCUSSION:
            raise ValueError(f"any topic, {band}: fewer than {MIN_DISCUSSION} discussion")
    return bank


_STAGE_ORDER = [Stage.GREETING, Stage.VOCABULARY, Stage.SENTENCE_PRACTICE, Stage.TOPIC_DISCUSSION]
TURNS_PER_STAGE = 2
DISCUSSION_STARTS = TURNS_PER_STAGE * (len(_STAGE_ORDER) - 1)
"""The learner's turn after which the discussion begins, with the topic's own questions."""
GRAMMAR_FOCUS_ISSUES = 2
"""A turn with this many mistakes moves the conversation to grammar focus."""


def next_stage(stage: Stage, learner_turns: int, mistakes: int) -> Stage:
    """Each stage but the last lasts TURNS_PER_STAGE learner turns; a turn with many
    mistakes switches to grammar focus, and a clean turn there returns to the topic."""
    if mistakes >= GRAMMAR_FOCUS_ISSUES:
        return Stage.GRAMMAR_FOCUS
    if stage == Stage.GRAMMAR_FOCUS:
        return Stage.TOPIC_DISCUSSION if mistakes == 0 else Stage.GRAMMAR_FOCUS
    position = min(learner_turns // TURNS_PER_STAGE, len(_STAGE_ORDER) - 1)
    return max(stage, _STAGE_ORDER[position], key=_STAGE_ORDER.index)


@dataclass(frozen=True)
class PlannedQuestion:
    text: str
    word: Word | None = None
    """The word it teaches (vocabulary)."""


def _pick(items: list[T], turn: int, asked: str) -> T:
    """The item for this turn: items in order, one per turn, so that a session meets each
    once before any again; one whose text the tutor already said is passed over."""
    for step in range(len(items)):
        item = items[(turn + step) % len(items)]
        text = item.word if isinstance(item, Word) else str(item)
        if text.lower() not in asked:
            return item
    return items[turn % len(items)]


def plan_question(
    bank: QuestionBank,
    topic: str,
    level: CefrLevel,
    stage: Stage,
    turn: int,
    corrected: str | None,
    said: list[str],
) -> PlannedQuestion:
    """What the tutor asks at `stage` after the learner's `turn`-th turn (1 for the first):
    greeting, a warm-up question; vocabulary, a topic word and its meaning, to use in a
    sentence; sentence practice, a request for one full sentence; topic discussion, the next
    question of the topic's and then the templates'; grammar focus, the corrected sentence
    to say again (a discussion question when there is none). `said` holds what the tutor
    said earlier in the session: a question in it is not asked again while others remain."""
    band = BAND_OF_LEVEL[level]
    known = bank.topic(topic)
    own = known.bands[band] if known else None
    templates = bank.any_topic[band]
    asked = " ".join(said).lower()

    def questions(part: str) -> list[str]:
        mine = list(getattr(own, part)) if own else []
        return [q.replace("{topic}", topic) for q in mine + list(getattr(templates, part))]

    if stage == Stage.GRAMMAR_FOCUS and corrected:
        return PlannedQuestion(f'Can you say "{corrected.rstrip(".!")}" again?')
    if stage == Stage.GREETING:
        return PlannedQuestion(_pick(questions("warm_up"), turn, asked))
    if stage == Stage.VOCABULARY:
        words = list(own.words if own else templates.words)
        word = _pick(words, turn, asked)
        meaning = word.meaning.replace("{topic}", topic)
        text = f'Here is a useful word: "{word.word}". It means {meaning}. '
        return PlannedQuestion(text + f'Can you make a sentence with "{word.word}"?', word)
    if stage == Stage.SENTENCE_PRACTICE:
        return PlannedQuestion(_pick(questions("practice"), turn, asked))
    return PlannedQuestion(_pick(questions("discussion"), turn - DISCUSSION_STARTS, asked))
