"""What a learner's record accepts."""

import re

from domain.errors import InvalidInput
from ports.reviews import Grade

# A target language is an ISO 639-1 code: one profile per language, so "en" and "en-GB" must
# not become two profiles of the same language.
_LANGUAGE = re.compile(r"^[a-z]{2}$")
# The tutor, the scorer's models and the curriculum are English; a profile of another
# language is kept (002 is multilingual) but cannot name a tutor session.
TUTOR_LANGUAGE = "en"


def check_language(language: str) -> str:
    """The language code in lower case; InvalidInput unless it is ISO 639-1."""
    code = language.strip().lower()
    if not _LANGUAGE.match(code):
        raise InvalidInput(
            "language must be an ISO 639-1 code such as en or es", {"field": "language"}
        )
    return code


def check_score(score: float | None, field: str = "score") -> float | None:
    """InvalidInput unless the score is None or 0-100, the scale of every Parla score."""
    if score is not None and not 0 <= score <= 100:
        raise InvalidInput(f"{field} must be between 0 and 100", {"field": field})
    return score


# A word or a phrase, not a sentence to study: the longest corrections the tutor makes fit.
MAX_ITEM_CHARS = 100
MAX_NOTE_CHARS = 500
# Punctuation the scorer and the grammar checker leave on a word ("apples.") is no part of it.
_EDGE_PUNCTUATION = ".,;:!?\"'()[]{}"

# A spoken review's pronunciation score (0-100) as a grade: the learn flow passes a repeat at
# 70 accuracy (domain.tutor.learn), so a reading that would pass there is recalled (good);
# well above it is easy; a reading the scorer still half recognizes is hard; below, forgotten.
SPOKEN_EASY = 85.0
SPOKEN_GOOD = 70.0
SPOKEN_HARD = 50.0


def item_text(text: str) -> str:
    """A review item's text: words one space apart, edge punctuation dropped; InvalidInput
    unless 1 to MAX_ITEM_CHARS characters remain."""
    cleaned = " ".join(text.split()).strip(_EDGE_PUNCTUATION).strip()
    if not 1 <= len(cleaned) <= MAX_ITEM_CHARS:
        raise InvalidInput(f"text must be 1 to {MAX_ITEM_CHARS} characters", {"field": "text"})
    return cleaned


def item_key(text: str) -> str:
    """What makes two items the same for one learner: their text, case-folded."""
    return text.casefold()


def spoken_grade(pronunciation_score: float) -> Grade:
    if pronunciation_score >= SPOKEN_EASY:
        return Grade.EASY
    if pronunciation_score >= SPOKEN_GOOD:
        return Grade.GOOD
    if pronunciation_score >= SPOKEN_HARD:
        return Grade.HARD
    return Grade.AGAIN
