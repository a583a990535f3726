"""Word levels from cefrpy's word list, which ships inside the wheel: offline, no model."""

from collections.abc import Iterable, Mapping

from cefrpy import CEFRAnalyzer

from ports.cefr import CefrLevel

_LEVELS = tuple(CefrLevel)
# Contractions the list lacks, looked up by the word they stand for.
_NEGATIONS = {"can't": "can", "won't": "will", "shan't": "shall"}


class CefrpyVocabularyLevels:
    """cefrpy rates a word per part of speech; without tagging the sentence we take the
    lowest of them, because a learner who uses "go" almost always means the A1 verb, not
    the B1 noun (averaging would rate everyday words above their level)."""

    provider = "cefrpy"

    def __init__(self) -> None:
        self._analyzer = CEFRAnalyzer()

    def levels(self, words: Iterable[str]) -> Mapping[str, CefrLevel]:
        found: dict[str, CefrLevel] = {}
        for word in words:
            if (level := self._level(word)) is not None:
                found[word] = level
        return found

    def _level(self, word: str) -> CefrLevel | None:
        key = word.lower().replace("\u2019", "'")
        key = _NEGATIONS.get(key) or key.removesuffix("n't").split("'")[0]
        by_pos = self._analyzer.get_pos_level_dict_for_word(key, word_level_as_float=True)
        if not by_pos:
            return None
        return _LEVELS[min(max(round(min(by_pos.values())), 1), 6) - 1]
