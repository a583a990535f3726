"""The grammar checker port: where a learner's English is wrong and how to fix it."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Dialect(StrEnum):
    """The English a learner is taught: its spellings are right for that learner, the other
    dialect's may be flagged."""

    BRITISH = "british"
    AMERICAN = "american"


class CorrectionKind(StrEnum):
    """What the learner got wrong: the one vocabulary of correction kinds, whoever found them."""

    TENSE = "tense"
    AGREEMENT = "agreement"
    VERB_FORM = "verb_form"
    """The wrong form after a modal, an auxiliary or another verb ("can sings", "didn't went")."""
    VERB_PATTERN = "verb_pattern"
    """What a verb takes after it ("explain me", "discuss about", "enjoy to play")."""
    ARTICLE = "article"
    NOUN_NUMBER = "noun_number"
    """Plurals after numbers, uncountable nouns made plural."""
    PREPOSITION = "preposition"
    WORD_ORDER = "word_order"
    COMPARISON = "comparison"
    WORD_CHOICE = "word_choice"
    SPELLING = "spelling"
    CAPITALIZATION = "capitalization"
    PUNCTUATION = "punctuation"
    REPETITION = "repetition"
    STYLE = "style"


@dataclass(frozen=True)
class GrammarIssue:
    start: int
    end: int
    """Character offsets of the flagged span in the checked text."""
    original: str
    suggestions: list[str]
    """Replacements for the span, best first; empty when the checker only flags it."""
    message: str
    kind: CorrectionKind


class GrammarChecker(Protocol):
    provider: str

    async def check(self, text: str, dialect: Dialect) -> list[GrammarIssue]:
        """Issues in `text` for a learner of `dialect`, in order of position; the dialect's
        own spellings are never issues. Raises ServiceUnavailable on failure."""


@dataclass(frozen=True)
class Correction:
    """A grammar issue as a learner reads it (and as a tutor turn stores it): `original` is
    text[start:end], `suggestion` the checker's best replacement, or None when it only flags
    the span."""

    start: int
    end: int
    original: str
    suggestion: str | None
    message: str
    kind: str
    """A CorrectionKind value (stored turns keep the kinds they were given)."""
