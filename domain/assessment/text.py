"""What can be counted in a learner's text: words, sentences, vocabulary levels, diversity."""

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ports.cefr import CefrLevel

_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+")
_ABOVE_A2 = frozenset(CefrLevel) - {CefrLevel.A1, CefrLevel.A2}
# MTLD's usual type-token ratio threshold (McCarthy & Jarvis, 2010).
_MTLD_THRESHOLD = 0.72


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


def sentences_of(text: str) -> list[str]:
    """Sentences as the text punctuates them; unpunctuated speech is one sentence."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if words_of(s)]


def names_in(text: str) -> set[str]:
    """Capitalized words that do not open a sentence (and are not "I"): most likely names,
    which say nothing about a learner's vocabulary however rare they are."""
    names = set()
    for sentence in sentences_of(text):
        for word in words_of(sentence)[1:]:
            if word[0].isupper() and word != "I" and not word.startswith("I'"):
                names.add(word)
    return names


@dataclass(frozen=True)
class VocabularyProfile:
    word_count: int
    level_counts: Mapping[CefrLevel, int]
    """Running words per level, for the words the word list knows."""
    advanced_words: tuple[str, ...]
    """Distinct words above A2, hardest first."""
    mtld: float
    """Measure of textual lexical diversity: mean length of stretches that keep a
    type-token ratio above 0.72; higher is more varied, and steadier than a plain TTR."""

    @property
    def known_words(self) -> int:
        return sum(self.level_counts.values())

    @property
    def share_above_a2(self) -> float:
        above = sum(n for level, n in self.level_counts.items() if level in _ABOVE_A2)
        return above / self.known_words if self.known_words else 0.0


def profile_vocabulary(words: list[str], levels: Mapping[str, CefrLevel]) -> VocabularyProfile:
    """`levels` as the VocabularyLevels port returns them for `words`; words it lacks
    (names, unknown words) count in the length and diversity, not in the levels."""
    counts = Counter(levels[w] for w in words if w in levels)
    advanced = {w.lower(): levels[w] for w in words if levels.get(w) in _ABOVE_A2}
    hardest_first = sorted(advanced, key=lambda w: (-list(CefrLevel).index(advanced[w]), w))
    return VocabularyProfile(
        word_count=len(words),
        level_counts={level: counts[level] for level in CefrLevel},
        advanced_words=tuple(hardest_first),
        mtld=mtld([w.lower() for w in words]),
    )


def mtld(tokens: list[str]) -> float:
    """Mean of the forward and backward passes, as McCarthy & Jarvis define it."""
    if not tokens:
        return 0.0
    return (_mtld_pass(tokens) + _mtld_pass(tokens[::-1])) / 2


def _mtld_pass(tokens: list[str]) -> float:
    factors = 0.0
    types: set[str] = set()
    count = 0
    for token in tokens:
        count += 1
        types.add(token)
        if len(types) / count <= _MTLD_THRESHOLD:
            factors += 1
            types, count = set(), 0
    if count:
        factors += (1 - len(types) / count) / (1 - _MTLD_THRESHOLD)
    # A text that never repeats a word has no factor: its diversity is its length.
    return len(tokens) / factors if factors else float(len(tokens))
