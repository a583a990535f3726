"""000's curriculum: six curriculum stages (A1 Beginner to C2 Mastery) of three spoken
exercises each, every exercise an ordered list of topics.

The shape (which exercises exist, in which curriculum stage and order, and how an attempt at
each is evaluated) is the product's: rules and routes depend on it, so it is stated here once.
The words (titles, descriptions, topics, Urdu hints) are content, read from data files by the
composition root and checked against this shape by `check_curriculum`."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import NotFound
from ports.cefr import CefrLevel

# Enough topics to play an exercise through to maturity (see rules.MATURITY_WINDOW).
MIN_TOPICS_PER_EXERCISE = 5


class Evaluation(StrEnum):
    """How an attempt at an exercise is evaluated."""

    PRONUNCIATION = "pronunciation"
    """The pronunciation scorer against the topic's text: the learner says that text."""
    SPOKEN_ANSWER = "spoken_answer"
    """Recognition, the grammar checker and the speaking assessment's rules: the learner
    answers the topic's prompt in their own words."""


@dataclass(frozen=True)
class ExerciseKind:
    slug: str
    """000's path name (`/repeat-after-me`)."""
    stage: int
    number: int
    evaluation: Evaluation
    urdu_hints: bool
    """Whether its topics carry an Urdu hint for 000's Urdu-speaking beginners."""

    @property
    def accepts_text(self) -> bool:
        """A typed answer can be judged on its words; pronunciation needs a recording."""
        return self.evaluation is Evaluation.SPOKEN_ANSWER


def _kinds() -> tuple[ExerciseKind, ...]:
    said, answered = Evaluation.PRONUNCIATION, Evaluation.SPOKEN_ANSWER
    names = (
        ("repeat-after-me", said, True),
        ("quick-response", answered, True),
        ("listen-and-reply", said, True),
        ("daily-routine", answered, True),
        ("quick-answer", answered, True),
        ("roleplay-simulation", answered, True),
        ("storytelling", answered, False),
        ("group-dialogue", answered, False),
        ("problem-solving", answered, False),
        ("abstract-topic", answered, False),
        ("mock-interview", answered, False),
        ("news-summary", answered, False),
        ("critical-thinking", answered, False),
        ("academic-presentation", answered, False),
        ("in-depth-interview", answered, False),
        ("spontaneous-speech", answered, False),
        ("sensitive-scenario", answered, False),
        ("critical-opinion-builder", answered, False),
    )
    return tuple(
        ExerciseKind(slug, stage=i // 3 + 1, number=i % 3 + 1, evaluation=e, urdu_hints=u)
        for i, (slug, e, u) in enumerate(names)
    )


EXERCISE_KINDS: tuple[ExerciseKind, ...] = _kinds()
"""The eighteen exercises of 000, in curriculum order."""
STAGE_LEVELS: tuple[CefrLevel, ...] = tuple(CefrLevel)
"""Curriculum stage n (from 1) teaches level STAGE_LEVELS[n - 1]."""
STAGE_COUNT = len(STAGE_LEVELS)
EXERCISES_PER_STAGE = 3


@dataclass(frozen=True)
class Topic:
    number: int
    """From 1, in the order a learner meets the topics."""
    title: str
    prompt: str
    """What the learner is asked (shown, or spoken by the client)."""
    text: str | None
    """What the learner says, for exercises evaluated by pronunciation."""
    urdu_hint: str | None


@dataclass(frozen=True)
class Exercise:
    kind: ExerciseKind
    title: str
    description: str
    topics: tuple[Topic, ...]

    @property
    def slug(self) -> str:
        return self.kind.slug

    def topic(self, number: int) -> Topic:
        if not 1 <= number <= len(self.topics):
            raise NotFound(
                f"{self.slug} has no topic {number}",
                {"stage": self.kind.stage, "exercise": self.kind.number, "topic": number},
            )
        return self.topics[number - 1]


@dataclass(frozen=True)
class CurriculumStage:
    number: int
    level: CefrLevel
    title: str
    description: str
    exercises: tuple[Exercise, ...]

    def exercise(self, number: int) -> Exercise:
        if not 1 <= number <= len(self.exercises):
            raise NotFound(
                f"curriculum stage {self.number} has no exercise {number}",
                {"stage": self.number, "exercise": number},
            )
        return self.exercises[number - 1]


@dataclass(frozen=True)
class Curriculum:
    stages: tuple[CurriculumStage, ...]

    def stage(self, number: int) -> CurriculumStage:
        if not 1 <= number <= len(self.stages):
            raise NotFound(f"no curriculum stage {number}", {"stage": number})
        return self.stages[number - 1]

    def exercise(self, stage: int, exercise: int) -> Exercise:
        return self.stage(stage).exercise(exercise)

    def exercise_by_slug(self, slug: str) -> Exercise:
        for stage in self.stages:
            for exercise in stage.exercises:
                if exercise.slug == slug:
                    return exercise
        raise NotFound(f"no exercise {slug!r}", {"exercise": slug})

    @property
    def topic_counts(self) -> dict[tuple[int, int], int]:
        """The number of topics of each (curriculum stage, exercise)."""
        return {
            (stage.number, exercise.kind.number): len(exercise.topics)
            for stage in self.stages
            for exercise in stage.exercises
        }


def check_curriculum(stages: Sequence[CurriculumStage]) -> Curriculum:
    """The curriculum, once its content is known to fit its shape: the six curriculum stages
    in order with their levels, the eighteen exercises in place, at least
    MIN_TOPICS_PER_EXERCISE topics each, a text on every topic said aloud and
    an Urdu hint on every topic of an exercise that has them. ValueError names what does not."""
    if [(s.number, s.level) for s in stages] != list(enumerate(STAGE_LEVELS, start=1)):
        raise ValueError("the curriculum must have stages 1 to 6 with levels A1 to C2")
    exercises = [e for s in stages for e in s.exercises]
    if [e.kind for e in exercises] != list(EXERCISE_KINDS):
        raise ValueError(f"the exercises must be, in order: {[k.slug for k in EXERCISE_KINDS]}")
    for exercise in exercises:
        topics = exercise.topics
        if len(topics) < MIN_TOPICS_PER_EXERCISE:
            raise ValueError(f"{exercise.slug} has fewer than {MIN_TOPICS_PER_EXERCISE} topics")
        for topic in topics:
            where = f"{exercise.slug} topic {topic.number}"
            if not topic.prompt.strip() or not topic.title.strip():
                raise ValueError(f"{where} has no title or prompt")
            if exercise.kind.evaluation is Evaluation.PRONUNCIATION and not topic.text:
                raise ValueError(f"{where} has no text to say")
            if exercise.kind.urdu_hints and not topic.urdu_hint:
                raise ValueError(f"{where} has no Urdu hint")
    return Curriculum(tuple(stages))


def kind_of(slug: str) -> ExerciseKind:
    for kind in EXERCISE_KINDS:
        if kind.slug == slug:
            return kind
    raise ValueError(f"no exercise {slug!r}")
