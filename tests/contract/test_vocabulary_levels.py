"""The VocabularyLevels contract, run against every adapter of the port."""

import pytest

from adapters.vocabulary.cefrpy_levels import CefrpyVocabularyLevels
from ports.cefr import CefrLevel
from ports.vocabulary import VocabularyLevels


@pytest.fixture(scope="module", params=["cefrpy"])
def levels(request: pytest.FixtureRequest) -> VocabularyLevels:
    return CefrpyVocabularyLevels()


def test_everyday_words_are_a1_and_rare_words_are_higher(levels):
    found = levels.levels(["cat", "school", "because", "sustainable", "ubiquitous"])
    assert found["cat"] is CefrLevel.A1
    assert found["school"] is CefrLevel.A1
    assert found["because"] is CefrLevel.A1
    assert found["sustainable"] >= CefrLevel.B2
    assert found["ubiquitous"] >= CefrLevel.C1


def test_keys_are_the_words_as_given_whatever_their_case(levels):
    found = levels.levels(["School", "CAT"])
    assert set(found) == {"School", "CAT"}


def test_contractions_are_rated_by_the_word_they_contract(levels):
    found = levels.levels(["don't", "it's", "can't", "won\u2019t"])
    assert set(found.values()) == {CefrLevel.A1}


def test_unknown_words_are_left_out(levels):
    assert levels.levels(["qwzxv", "blorptastic"]) == {}
    assert levels.levels([]) == {}


def test_a_verb_is_rated_by_its_lowest_part_of_speech(levels):
    # cefrpy rates "go" A1 as a verb but B1 as a noun: learners mean the verb.
    assert levels.levels(["go"])["go"] is CefrLevel.A1
