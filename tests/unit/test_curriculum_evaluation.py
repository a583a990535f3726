"""How an answer to a topic is scored: relevance to the topic judged by a language model
when one is configured and by its content words otherwise or when the model's answer cannot
be used, the level against the curriculum stage's, and the weights that keep an off-topic
answer from completing a topic."""

import asyncio
import json
from dataclasses import replace

import pytest

from deployments.demo.curriculum import read_curriculum
from domain.curriculum import evaluation
from domain.curriculum.content import Topic
from domain.curriculum.evaluation import (
    RELEVANT_WORDS,
    Answer,
    JudgedBy,
    answer_score,
    content_words,
    judge_relevance,
    level_fit,
    relevance,
    stem,
)
from domain.curriculum.rules import COMPLETION_SCORE
from domain.errors import ServiceUnavailable
from ports.cefr import CefrLevel
from ports.language_model import ChatMessage
from tests.unit.test_curriculum_use_cases import TYPED

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


class ScriptedModel:
    """A language model that answers with `answer` (or raises it) after `delay` seconds,
    keeping what it was asked."""

    provider = "scripted"

    def __init__(self, answer: str | Exception, delay: float = 0.0) -> None:
        self._answer = answer
        self._delay = delay
        self.asked: list[tuple[list[ChatMessage], dict]] = []

    async def complete(self, messages: list[ChatMessage], **options) -> str:
        self.asked.append((messages, options))
        await asyncio.sleep(self._delay)
        if isinstance(self._answer, Exception):
            raise self._answer
        return self._answer


def judged(relevant: object, reason: object = "It talks about the food they like.", **more) -> str:
    return json.dumps({"relevant": relevant, "reason": reason} | more)


OFF_TOPIC = "I live in Lahore with my family now."
ON_TOPIC = "My favourite food is biryani with rice."


async def test_a_model_judges_an_answer_that_addresses_the_prompt_relevant():
    model = ScriptedModel(judged(True, "  It names   a favourite food. "))
    # The rules would find none of the topic's words in it.
    answer = "I love eating biryani at weddings."

    judgement = await judge_relevance(answer, FOOD, model)

    assert (judgement.share, judgement.judged_by) == (1.0, JudgedBy.MODEL)
    assert judgement.reason == "It names a favourite food."
    [(messages, options)] = model.asked
    assert options["json_schema"] == evaluation.RELEVANCE_SCHEMA
    assert options["temperature"] == 0.0
    # The learner's words reach the model as data beside the topic's prompt.
    assert json.loads(messages[-1].content) == {
        "topic": FOOD.title,
        "prompt": FOOD.prompt,
        "answer": answer,
    }


async def test_a_model_judges_an_answer_off_the_prompt_irrelevant():
    # The rules would give it full marks: it reuses the topic's words without answering.
    answer = "Favourite food is a phrase I cannot explain today."

    judgement = await judge_relevance(answer, FOOD, ScriptedModel(judged(False)))

    assert (judgement.share, judgement.judged_by) == (0.0, JudgedBy.MODEL)
    assert relevance(answer, FOOD) == 1.0


@pytest.mark.parametrize(
    "answer",
    [
        "not json",
        "[true]",
        '{"relevant": true',
        judged("yes"),
        judged(1),
        judged(True, ""),
        judged(True, "   "),
        judged(True, "x" * 201),
        judged(True, reason=None),
        json.dumps({"relevant": True}),
        judged(True, extra="field"),
    ],
)
async def test_a_malformed_judgement_leaves_relevance_to_the_rules(answer):
    judgement = await judge_relevance(OFF_TOPIC, FOOD, ScriptedModel(answer))

    assert (judgement.share, judgement.judged_by, judgement.reason) == (0.0, JudgedBy.RULES, None)


@pytest.mark.parametrize(
    "model",
    [
        ScriptedModel(ServiceUnavailable("The language model is down")),
        ScriptedModel(judged(False), delay=5.0),
    ],
    ids=["failing", "slow"],
)
async def test_a_failing_or_slow_model_leaves_relevance_to_the_rules(model, monkeypatch):
    monkeypatch.setattr(evaluation, "RELEVANCE_TIMEOUT_SECONDS", 0.05)

    judgement = await asyncio.wait_for(judge_relevance(ON_TOPIC, FOOD, model), timeout=1.0)

    assert (judgement.share, judgement.judged_by) == (1.0, JudgedBy.RULES)


async def test_without_a_model_the_rules_judge():
    judgement = await judge_relevance(ON_TOPIC, FOOD, None)

    assert (judgement.share, judgement.judged_by, judgement.reason) == (1.0, JudgedBy.RULES, None)


async def test_the_models_judgement_is_half_a_typed_answers_score():
    quick_response = read_curriculum().exercise(1, 2)
    topic = quick_response.topics[4]

    answer = Answer(text=ON_TOPIC)

    on, off = [
        await replace(TYPED, relevance_model=ScriptedModel(judged(verdict))).evaluate(
            quick_response, topic, CefrLevel.A1, answer
        )
        for verdict in (True, False)
    ]

    assert on.relevance.judged_by is off.relevance.judged_by is JudgedBy.MODEL
    assert (on.score, off.score) == (100.0, 50.0)
    assert off.score < COMPLETION_SCORE
