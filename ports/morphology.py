"""The morphology port: the lemmas of an English word and the inflections of a lemma, which
the learner-error rules need to turn "go" into "went" or "book" into "books"."""

from typing import Protocol


class Morphology(Protocol):
    def lemmas(self, word: str) -> dict[str, tuple[str, ...]]:
        """The lemmas `word` may be an inflection of, by universal part of speech ("VERB",
        "NOUN", "ADJ", "ADV", "AUX"); empty for a word the lexicon does not know. Case
        sensitive: pass lower case for common words."""

    def inflections(self, lemma: str, tag: str) -> tuple[str, ...]:
        """`lemma` inflected for a Penn Treebank tag ("VBD", "VBN", "VBZ", "VBG", "NNS",
        "JJR", "JJS"), most common first ("traveled", "travelled"); empty when the lexicon
        has no such form."""
