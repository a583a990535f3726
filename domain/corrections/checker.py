"""The learner's grammar checker: rules for the errors learners make most, then a general
checker (Harper) for what the rules do not cover."""

import asyncio
import re
from itertools import chain

from domain.corrections import collocations, nouns, order, verbs
from domain.corrections.words import Edit, Lexicon, Sentence, indefinite_article
from ports.grammar import CorrectionKind, Dialect, GrammarChecker, GrammarIssue
from ports.morphology import Morphology

RULES = [*verbs.RULES, *nouns.RULES, *order.RULES, *collocations.RULES]
"""In order of precedence: where two rules want the same words, the earlier one wins."""
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")


def learner_errors(text: str, morphology: Morphology, dialect: Dialect) -> list[GrammarIssue]:
    """The rules' issues in `text`, one sentence at a time, in order of position."""
    lexicon = Lexicon(morphology, dialect)
    issues = []
    for match in _SENTENCE.finditer(text):
        sentence = Sentence(match.group(), lexicon)
        issues.extend(_issue(sentence, edit, match.start()) for edit in _edits(sentence))
    return sorted(issues, key=lambda i: (i.start, i.end))


def _edits(sentence: Sentence) -> list[Edit]:
    kept: list[Edit] = []
    for edit in chain.from_iterable(rule(sentence) for rule in RULES):
        if edit.last <= edit.first or edit.last > len(sentence):
            continue
        if edit.words == sentence.span_text(edit.first, edit.last):
            continue
        if all(edit.last <= k.first or edit.first >= k.last for k in kept):
            kept.append(edit)
    return kept


def _issue(sentence: Sentence, edit: Edit, offset: int) -> GrammarIssue:
    start = sentence.tokens[edit.first].start
    end = sentence.tokens[edit.last - 1].end
    original = sentence.text[start:end]
    words = edit.words
    if edit.first == 0 and original[:1].isupper():
        words = words[:1].upper() + words[1:]
    return GrammarIssue(
        start=offset + start,
        end=offset + end,
        original=original,
        suggestions=[words],
        message=edit.message,
        kind=edit.kind,
    )


def _a_name(text: str, issue: GrammarIssue) -> bool:
    """A capitalized word inside a sentence that a dictionary does not know is most likely
    a name ("Hunza", "Basant"): not a spelling mistake."""
    opens = not text[: issue.start].strip() or text[: issue.start].rstrip()[-1:] in ".!?"
    return issue.kind == CorrectionKind.SPELLING and issue.original[:1].isupper() and not opens


def _touch(text: str, a: GrammarIssue, b: GrammarIssue) -> bool:
    """Whether two issues overlap or stand next to each other: the general checker's issue
    beside a rule's is its reading of the same mistake ("Where you live?": Harper offers
    "Were")."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    return not text[first.end : second.start].strip()


def _right_article(text: str, issue: GrammarIssue) -> bool:
    """An article the general checker suggests must be the one the next word takes (Harper
    suggests "a honour")."""
    if issue.kind != CorrectionKind.ARTICLE or not issue.suggestions:
        return True
    following = text[issue.end :].split()
    return not following or issue.suggestions[0] == indefinite_article(following[0])


class LearnerGrammarChecker:
    """ports.grammar.GrammarChecker for learners: the rules' issues, then those of `general`
    that overlap none of them and are of a kind it finds reliably in learners' sentences
    (measured by `python -m evaluation.corrections`)."""

    def __init__(
        self,
        morphology: Morphology,
        general: GrammarChecker,
        general_kinds: frozenset[CorrectionKind],
    ) -> None:
        self._morphology = morphology
        self._general = general
        self._general_kinds = general_kinds
        self.provider = f"rules+{general.provider}"

    async def check(self, text: str, dialect: Dialect) -> list[GrammarIssue]:
        if not text.strip():
            return []
        # The lexicon loads at the first call: off the event loop.
        ours, theirs = await asyncio.gather(
            asyncio.to_thread(learner_errors, text, self._morphology, dialect),
            self._general.check(text, dialect),
        )
        issues = list(ours)
        for issue in theirs:
            if (
                issue.kind in self._general_kinds
                and not _a_name(text, issue)
                and _right_article(text, issue)
                and not any(_touch(text, issue, o) for o in ours)
            ):
                issues.append(issue)
        return sorted(issues, key=lambda i: (i.start, i.end))
