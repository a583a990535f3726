"""How an answer to a topic is scored: relevance to the topic by its content words, the
level against the curriculum stage's, and the weights that keep an off-topic answer from
completing a topic."""

import pytest

from domain.curriculum.content import Topic
from domain.curriculum.evaluation import (
    RELEVANT_WORDS,
    answer_score,
    content_words,
    level_fit,
    relevance,
    stem,
)
from domain.curriculum.rules import COMPLETION_SCORE
from ports.cefr import CefrLevel

FOOD = Topic(1, "Favourite food", "What is your favourite food?", None, None)


@pytest.mark.parametrize(
    "word, stemmed",
    [("cooking", "cook"), ("Walked", "walk"), ("dishes", "dish"), ("cats", "cat"), ("bus", "bus")],
)
def test_stems_fold_one_ending_and_keep_three_letters(word, stemmed):
    assert stem(word) == stemmed


def test_content_words_leave_out_stop_words_and_short_words():
    assert content_words("What is your favourite food, Ali?") == {"favourite", "food", "ali"}


@pytest.mark.parametrize(
    "answer, share",
    [
        ("My favourite food is biryani with rice.", 1.0),  # two of the topic's words
        ("I like to eat biryani and foods with rice.", 0.5),  # one, folded from a plural
        ("I live in Lahore with my family now.", 0.0),  # another topic
    ],
)
def test_relevance_counts_the_topics_words_up_to_two(answer, share):
    assert RELEVANT_WORDS == 2
    assert relevance(answer, FOOD) == share


def test_a_topic_with_one_content_word_needs_only_that_one():
    age = Topic(2, "How old", "How old are you?", None, None)
    assert relevance("I am twenty years old now.", age) == 1.0


def test_a_topic_without_content_words_cannot_judge_relevance():
    bare = Topic(3, "You", "Where are you from?", None, None)
    assert relevance("Anything at all, said in five words.", bare) == 1.0


@pytest.mark.parametrize(
    "rated, stage, fit",
    [
        (CefrLevel.A1, CefrLevel.A1, 1.0),
        (CefrLevel.C2, CefrLevel.B1, 1.0),
        (CefrLevel.B1, CefrLevel.B1, 1.0),
        (CefrLevel.A2, CefrLevel.B1, 2 / 3),
        (CefrLevel.A1, CefrLevel.C2, 1 / 6),
    ],
)
def test_level_fit_is_whole_at_the_stages_level_and_a_share_below(rated, stage, fit):
    assert level_fit(rated, stage) == pytest.approx(fit)


def test_an_off_topic_answer_never_completes_a_topic():
    assert answer_score(CefrLevel.C2, CefrLevel.A1, 0.0) == 50.0 < COMPLETION_SCORE
    assert answer_score(CefrLevel.A1, CefrLevel.A1, 0.5) == 75.0 >= COMPLETION_SCORE
    assert answer_score(CefrLevel.A2, CefrLevel.B1, 1.0) == pytest.approx(83.3)
