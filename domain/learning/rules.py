"""What a learner's record accepts."""

import re

from domain.errors import InvalidInput

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
