"""A small fixed course corpus for the courses tests: two free courses and a premium one
that needs the first, each chapter with a quiz."""

from dataclasses import replace
from datetime import UTC, datetime

from ports.cefr import CefrLevel
from ports.courses import Chapter, Course, Question, Quiz

NOW = datetime(2025, 12, 10, 10, tzinfo=UTC)


def course(id: str, title: str, description: str, **changes: object) -> Course:
    made = Course(id, title, description, CefrLevel.A2, False, [], NOW, NOW)
    return replace(made, **changes)


def chapter(course_id: str, position: int, title: str, content: str) -> Chapter:
    return Chapter(f"{course_id}-{position}", course_id, title, content, position, NOW, NOW)


def quiz_for(chapter: Chapter, questions: int = 10) -> Quiz:
    """`questions` questions whose right answer is always choice 1."""
    return Quiz(
        f"{chapter.id}-quiz",
        chapter.course_id,
        chapter.id,
        f"Quiz: {chapter.title}",
        [
            Question(f"q{n}", f"Question {n}?", ["wrong", "right", "also wrong"], 1, "Because.")
            for n in range(1, questions + 1)
        ],
        0.7,
        NOW,
        NOW,
    )


SOUNDS = course(
    "sounds",
    "Pronunciation basics",
    "Vowels, consonants and stress: how English words sound.",
)
SOUNDS_CHAPTERS = [
    chapter(
        "sounds",
        1,
        "Vowel sounds",
        "English has short and long vowel sounds. A vowel can change a word: ship and sheep. "
        "Practise each vowel slowly, then say the vowel in words.",
    ),
    chapter(
        "sounds",
        2,
        "Word stress",
        "Every word of two syllables or more has one stressed syllable. Stress changes "
        "meaning: record the noun and record the verb.",
    ),
    chapter(
        "sounds",
        3,
        "Linking words",
        "Native speakers link words together. A consonant at the end of a word joins the "
        "vowel at the start of the next one.",
    ),
]
GRAMMAR = course(
    "grammar",
    "Grammar essentials",
    "Tenses, articles and questions for everyday English.",
)
GRAMMAR_CHAPTERS = [
    chapter(
        "grammar",
        1,
        "The present simple",
        "Use the present simple for habits and facts. She works in a bank. Questions take "
        "do or does.",
    ),
    chapter(
        "grammar",
        2,
        "Articles",
        "A and an introduce something new; the points to something known. An comes before "
        "a vowel sound: an apple, an hour.",
    ),
]
BUSINESS = course(
    "business",
    "Business meetings",
    "Leading and joining meetings at work.",
    premium=True,
    prerequisites=["grammar"],
)
BUSINESS_CHAPTERS = [
    chapter(
        "business",
        1,
        "Opening a meeting",
        "Welcome everyone, state the goal of the meeting and agree on the agenda.",
    ),
]

CORPUS = [
    (SOUNDS, SOUNDS_CHAPTERS),
    (GRAMMAR, GRAMMAR_CHAPTERS),
    (BUSINESS, BUSINESS_CHAPTERS),
]


async def add_corpus(unit_of_work) -> None:  # type: ignore[no-untyped-def]
    """Adds CORPUS, each chapter with a ten-question quiz, through the use case; once per
    database (test modules that share one each ask for it)."""
    from domain.courses.catalog import add_course, get_course
    from domain.errors import NotFound

    try:
        await get_course(CORPUS[0][0].id, unit_of_work())
        return
    except NotFound:
        pass
    for added, chapters in CORPUS:
        await add_course(added, chapters, [quiz_for(c) for c in chapters], unit_of_work())
