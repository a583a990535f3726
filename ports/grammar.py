"""The grammar checker port: where a learner's English is wrong and how to fix it."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class GrammarIssue:
    start: int
    end: int
    """Character offsets of the flagged span in the checked text."""
    original: str
    suggestions: list[str]
    """Replacements for the span, best first; empty when the checker only flags it."""
    message: str
    kind: str
    """The checker's category, e.g. "Agreement", "Spelling", "Capitalization"."""


class GrammarChecker(Protocol):
    provider: str

    async def check(self, text: str) -> list[GrammarIssue]:
        """Issues in `text`, in order of position. Raises ServiceUnavailable on failure."""


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
