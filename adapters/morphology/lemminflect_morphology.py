"""Morphology with lemminflect: a lexicon of English lemmas and their inflections (from the
Automatically Generated Inflection Database), in process, no model to load."""

import functools

import lemminflect


class LemminflectMorphology:
    """ports.morphology.Morphology. The lexicon loads at the first call (a fraction of a
    second); lookups are dictionary reads."""

    @functools.cache  # noqa: B019 - one instance per process; answers never change
    def lemmas(self, word: str) -> dict[str, tuple[str, ...]]:
        return dict(lemminflect.getAllLemmas(word))

    @functools.cache  # noqa: B019
    def inflections(self, lemma: str, tag: str) -> tuple[str, ...]:
        return tuple(lemminflect.getInflection(lemma, tag=tag))
