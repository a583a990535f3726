"""Grammar checking with Harper (harper-py): offline, in process, no Java and no server.

Harper's spans count code points, which are Python string indices, so its offsets are the
port's character offsets as they are."""

import asyncio
import functools
import threading

import harper

from domain.errors import ServiceUnavailable
from ports.grammar import CorrectionKind, Dialect, GrammarIssue

# A Linter builds its dictionary on construction (about a second) and raises RuntimeError when
# two threads call it at once: one per dialect and process, used under a lock.
_LOCK = threading.Lock()
_DIALECTS = {Dialect.BRITISH: harper.Dialect.BRITISH, Dialect.AMERICAN: harper.Dialect.AMERICAN}
_KINDS = {
    "Spelling": CorrectionKind.SPELLING,
    "Typo": CorrectionKind.SPELLING,
    "Agreement": CorrectionKind.AGREEMENT,
    "Capitalization": CorrectionKind.CAPITALIZATION,
    "Punctuation": CorrectionKind.PUNCTUATION,
    "Formatting": CorrectionKind.PUNCTUATION,
    "BoundaryError": CorrectionKind.PUNCTUATION,
    "Repetition": CorrectionKind.REPETITION,
    "Redundancy": CorrectionKind.REPETITION,
    "Style": CorrectionKind.STYLE,
    "Readability": CorrectionKind.STYLE,
    "Enhancement": CorrectionKind.STYLE,
    "Regionalism": CorrectionKind.STYLE,
}
"""Harper's categories in the port's vocabulary; the others are word choice, except an
article ("a", "an") that Harper files under "Miscellaneous"."""


@functools.cache
def _linter(dialect: Dialect) -> harper.Linter:
    """Created lazily on first use; call only while holding _LOCK."""
    return harper.Linter(_DIALECTS[dialect])


def _kind(lint: harper.Lint) -> CorrectionKind:
    if lint.problem_text.lower() in ("a", "an"):
        return CorrectionKind.ARTICLE
    return _KINDS.get(lint.lint_kind, CorrectionKind.WORD_CHOICE)


def _replacement(lint: harper.Lint, suggestion: harper.Suggestion) -> str:
    """What the flagged span becomes: Harper's suggestions may also remove it or insert
    text after it."""
    match suggestion.kind:
        case harper.SuggestionKind.REMOVE:
            return ""
        case harper.SuggestionKind.INSERT_AFTER:
            return lint.problem_text + suggestion.replacement_text
        case _:
            return suggestion.replacement_text


def _issue(lint: harper.Lint) -> GrammarIssue:
    return GrammarIssue(
        start=lint.span.start,
        end=lint.span.end,
        original=lint.problem_text,
        suggestions=[_replacement(lint, s) for s in lint.suggestions],
        message=lint.message,
        kind=_kind(lint),
    )


def _lint(text: str, dialect: Dialect) -> list[GrammarIssue]:
    try:
        with _LOCK:
            lints = _linter(dialect).lint(text, language=harper.Language.PLAINTEXT)
    except Exception as exc:  # the extension's errors have no common base class
        raise ServiceUnavailable(f"Harper grammar check failed: {exc}") from exc
    return sorted((_issue(lint) for lint in lints), key=lambda i: (i.start, i.end))


class HarperGrammarChecker:
    """ports.grammar.GrammarChecker with Harper, in British or American English (each
    dialect's spellings, and its words such as "lorry" or "truck"). Checks run in a worker
    thread: a paragraph takes milliseconds, but building a dialect's linter the first time
    takes about a second."""

    provider = "harper"

    async def check(self, text: str, dialect: Dialect) -> list[GrammarIssue]:
        if not text.strip():
            return []
        return await asyncio.to_thread(_lint, text, dialect)
