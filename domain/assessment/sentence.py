"""The use case behind POST /assessment/sentence: corrections and a level for one text."""

from dataclasses import dataclass

from domain.assessment.bands import band, position
from domain.assessment.text import VocabularyProfile, names_in, profile_vocabulary, words_of
from domain.corrections import corrected_text, corrections_of, describe
from domain.errors import InvalidInput
from ports.cefr import CefrLevel
from ports.grammar import Correction, Dialect, GrammarChecker, GrammarIssue
from ports.vocabulary import VocabularyLevels

MAX_SENTENCE_CHARS = 1000


@dataclass(frozen=True)
class SentenceAssessment:
    text: str
    corrected_text: str
    corrections: list[Correction]
    vocabulary: VocabularyProfile
    vocabulary_level: CefrLevel
    level: CefrLevel
    """An estimate from a single text: grammar and vocabulary only, nothing about speech."""
    reasons: list[str]
    feedback: list[str]


def assess_sentence(
    text: str, issues: list[GrammarIssue], vocabulary: VocabularyProfile
) -> SentenceAssessment:
    corrections = corrections_of(issues)
    words = max(vocabulary.word_count, 1)
    errors_per_100 = 100 * len(corrections) / words
    grammar_pos = position("grammar_errors_per_100_words", errors_per_100)
    # Diversity (MTLD) means little in one sentence: the level of its words decides.
    vocabulary_pos = position("share_of_words_above_a2", vocabulary.share_above_a2)
    level = band((grammar_pos + vocabulary_pos) / 2)
    share = round(100 * vocabulary.share_above_a2)
    reasons = [
        f"grammar: {len(corrections)} issue(s) in {vocabulary.word_count} words "
        f"({errors_per_100:.1f} per 100 words) -> {band(grammar_pos)}",
        f"vocabulary: {share}% of the words are above A2 -> {band(vocabulary_pos)}",
    ]
    feedback = describe(corrections) or ["No grammar issues found."]
    if vocabulary.advanced_words:
        feedback.append(f"Words above A2: {', '.join(vocabulary.advanced_words[:5])}.")
    else:
        feedback.append("All the words are A1-A2: try a more precise word where you can.")
    return SentenceAssessment(
        text=text,
        corrected_text=corrected_text(text, corrections),
        corrections=corrections,
        vocabulary=vocabulary,
        vocabulary_level=band(vocabulary_pos),
        level=level,
        reasons=reasons,
        feedback=feedback,
    )


@dataclass(frozen=True)
class AssessSentence:
    grammar: GrammarChecker
    vocabulary: VocabularyLevels

    async def __call__(self, text: str, dialect: Dialect) -> SentenceAssessment:
        text = text.strip()
        if not text or len(text) > MAX_SENTENCE_CHARS:
            raise InvalidInput(
                f"text must be 1 to {MAX_SENTENCE_CHARS} characters", {"field": "text"}
            )
        words = words_of(text)
        if not words:
            raise InvalidInput("text has no words", {"field": "text"})
        issues = await self.grammar.check(text, dialect)
        names = names_in(text)
        levels = self.vocabulary.levels(w for w in words if w not in names)
        profile = profile_vocabulary(words, levels)
        return assess_sentence(text, issues, profile)
