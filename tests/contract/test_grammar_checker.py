"""Contract of ports.grammar.GrammarChecker: every adapter in CHECKERS must pass it."""

from collections.abc import Callable

import pytest

from adapters.grammar.harper import HarperGrammarChecker
from deployments.providers import build_grammar_checker
from ports.grammar import CorrectionKind, Dialect, GrammarChecker, GrammarIssue

# Add an adapter here (a factory, with an id) to hold it to the same contract.
CHECKERS: list[tuple[str, Callable[[], GrammarChecker]]] = [
    ("harper", HarperGrammarChecker),
    ("learner", build_grammar_checker),
]

# A learner's sentence, the word a checker must flag, and what it must offer instead.
AGREEMENT_ERRORS = [
    ("He go to school every day.", "go", "goes"),
    ("She have two cat.", "have", "has"),
    ("I has a dog.", "has", "have"),
]
CORRECT = [
    "He goes to school every day.",
    "She has two cats and a dog.",
    "Could you please tell me the way to the railway station?",
    "",
]


@pytest.fixture(
    scope="module", params=[factory for _, factory in CHECKERS], ids=[i for i, _ in CHECKERS]
)
def checker(request: pytest.FixtureRequest) -> GrammarChecker:
    return request.param()


def corrected(text: str, issue: GrammarIssue) -> str:
    return text[: issue.start] + issue.suggestions[0] + text[issue.end :]


def assert_spans_slice_the_text(text: str, issues: list[GrammarIssue]) -> None:
    for issue in issues:
        assert 0 <= issue.start <= issue.end <= len(text)
        assert text[issue.start : issue.end] == issue.original
        assert issue.message and issue.kind


@pytest.mark.parametrize(("text", "wrong", "right"), AGREEMENT_ERRORS)
async def test_agreement_errors_are_flagged_with_a_fix(
    checker: GrammarChecker, text: str, wrong: str, right: str
) -> None:
    issues = await checker.check(text, Dialect.BRITISH)

    assert_spans_slice_the_text(text, issues)
    flagged = [i for i in issues if wrong in i.original and i.suggestions]
    assert flagged, issues
    assert any(corrected(text, i) == text.replace(wrong, right, 1) for i in flagged), flagged


@pytest.mark.parametrize("text", CORRECT)
async def test_a_correct_sentence_has_no_issues(checker: GrammarChecker, text: str) -> None:
    assert await checker.check(text, Dialect.BRITISH) == []


async def test_issues_are_in_order_and_their_offsets_count_characters(
    checker: GrammarChecker,
) -> None:
    # Accents and an emoji before the errors: offsets in bytes or UTF-16 units would drift.
    text = "Café crème ☕ is nice. He go to the shop and buy a apple. She have two brother."

    issues = await checker.check(text, Dialect.BRITISH)

    assert len(issues) >= 3
    assert_spans_slice_the_text(text, issues)
    assert [(i.start, i.end) for i in issues] == sorted((i.start, i.end) for i in issues)
    assert any(i.original == "go" for i in issues)
    assert any(i.original == "have" for i in issues)


async def test_checker_names_its_provider(checker: GrammarChecker) -> None:
    assert checker.provider


@pytest.mark.parametrize(
    ("dialect", "own", "other"),
    [
        (Dialect.BRITISH, "My favourite colour is grey.", "My favorite color is gray."),
        (Dialect.AMERICAN, "My favorite color is gray.", "My favourite colour is grey."),
    ],
)
async def test_a_dialects_own_spellings_are_never_issues(
    checker: GrammarChecker, dialect: Dialect, own: str, other: str
) -> None:
    assert await checker.check(own, dialect) == []
    flagged = await checker.check(other, dialect)
    assert flagged and all(i.kind == CorrectionKind.SPELLING for i in flagged)


# Harper specifics: its categories become the port's kinds.


async def test_harper_reports_spelling_and_its_suggestions() -> None:
    text = "I like to recieve letters."

    issues = await HarperGrammarChecker().check(text, Dialect.BRITISH)

    spelling = [i for i in issues if i.original == "recieve"]
    assert spelling and spelling[0].kind == CorrectionKind.SPELLING
    assert "receive" in spelling[0].suggestions


# The learner's checker: the errors Harper misses, in the kinds a learner reads.

LEARNER_ERRORS = [
    ("Yesterday I go to the market.", "go", "went", CorrectionKind.TENSE),
    ("She can sings very well.", "sings", "sing", CorrectionKind.VERB_FORM),
    ("I have three book.", "book", "books", CorrectionKind.NOUN_NUMBER),
    ("My father is engineer.", "engineer", "an engineer", CorrectionKind.ARTICLE),
    ("It depends of the weather.", "of", "on", CorrectionKind.PREPOSITION),
]


@pytest.mark.parametrize(("text", "wrong", "right", "kind"), LEARNER_ERRORS)
async def test_the_learner_checker_catches_what_harper_misses(
    text: str, wrong: str, right: str, kind: CorrectionKind
) -> None:
    issues = await build_grammar_checker().check(text, Dialect.BRITISH)

    assert_spans_slice_the_text(text, issues)
    assert [(i.original, i.suggestions[0], i.kind) for i in issues] == [(wrong, right, kind)]


async def test_the_learner_checker_checks_a_paragraph_sentence_by_sentence() -> None:
    text = "I like my city. Where you live? Last week my sister visit us."

    issues = await build_grammar_checker().check(text, Dialect.AMERICAN)

    assert_spans_slice_the_text(text, issues)
    assert [i.suggestions[0] for i in issues] == ["do you live", "visited"]
