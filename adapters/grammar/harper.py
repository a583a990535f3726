"""Grammar checking with Harper (harper-py): offline, in process, no Java and no server.

Harper's spans count code points, which are Python string indices, so its offsets are the
port's character offsets as they are."""

import asyncio
import functools
import threading

import harper

from domain.errors import ServiceUnavailable
from ports.grammar import GrammarIssue

# A Linter builds its dictionary on construction (about a second) and raises RuntimeError when
# two threads call it at once: one per process, used under a lock.
_LOCK = threading.Lock()


@functools.cache
def _linter() -> harper.Linter:
    """Created lazily on first use; call only while holding _LOCK."""
    return harper.Linter(harper.Dialect.AMERICAN)


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
        kind=lint.lint_kind,
    )


def _lint(text: str) -> list[GrammarIssue]:
    try:
        with _LOCK:
            lints = _linter().lint(text, language=harper.Language.PLAINTEXT)
    except Exception as exc:  # the extension's errors have no common base class
        raise ServiceUnavailable(f"Harper grammar check failed: {exc}") from exc
    return sorted((_issue(lint) for lint in lints), key=lambda i: (i.start, i.end))


class HarperGrammarChecker:
    """ports.grammar.GrammarChecker with Harper, American English. Checks run in a worker
    thread: a paragraph takes milliseconds, but building the linter the first time takes
    about a second."""

    provider = "harper"

    async def check(self, text: str) -> list[GrammarIssue]:
        if not text.strip():
            return []
        return await asyncio.to_thread(_lint, text)
