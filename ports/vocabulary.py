"""The vocabulary port: at which CEFR level learners meet a word."""

from collections.abc import Iterable, Mapping
from typing import Protocol

from ports.cefr import CefrLevel


class VocabularyLevels(Protocol):
    provider: str

    def levels(self, words: Iterable[str]) -> Mapping[str, CefrLevel]:
        """The level of each word the word list knows, keyed by the word as given; words it
        does not know (names, typos) are left out. Synchronous on purpose: a lookup in a
        list held in memory, cheaper than a trip through the event loop."""
