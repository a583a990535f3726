"""The tutor's rules: stages and their questions, recasts, what the model may say, and a
turn composed of them with a scripted language model (one that comments well, one that
refuses, one that says nothing, one that fails)."""

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from deployments.demo.tutor_questions import read_question_bank
from domain.errors import ServiceUnavailable
from domain.tutor.checks import Rejection, refuses, rejection
from domain.tutor.questions import (
    DISCUSSION_STARTS,
    Band,
    check_question_bank,
    next_stage,
    plan_question,
)
from domain.tutor.recasts import corrected_sentences, recast, to_second_person
from domain.tutor.sessions import HISTORY_MESSAGES
from domain.tutor.tutor import Tutor
from ports.cefr import CefrLevel
from ports.grammar import Correction, CorrectionKind, Dialect, GrammarIssue
from ports.language_model import Role
from ports.tutoring import InputMode, Speaker, Stage, TurnContext, TutorMessage

BANK = read_question_bank()


def issue(
    text: str,
    original: str,
    suggestion: str | None,
    kind: CorrectionKind = CorrectionKind.AGREEMENT,
):
    start = text.index(original)
    suggestions = [suggestion] if suggestion else []
    return GrammarIssue(start, start + len(original), original, suggestions, "fix it", kind)


def correction(text: str, original: str, suggestion: str) -> Correction:
    start = text.index(original)
    return Correction(start, start + len(original), original, suggestion, "fix it", "Tense")


class ScriptedModel:
    """A LanguageModel that answers from a script and records what it was asked."""

    provider = "scripted"

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked = []

    async def complete(self, messages, **options) -> str:
        self.asked.append(messages)
        return self.answers[(len(self.asked) - 1) % len(self.answers)]


class FailingModel:
    provider = "failing"

    async def complete(self, messages, **options) -> str:
        raise ServiceUnavailable("The model is down")


class ListedGrammar:
    provider = "listed"

    def __init__(self, issues: list[GrammarIssue] | None = None) -> None:
        self.issues = issues or []
        self.dialects: list[Dialect] = []

    async def check(self, text: str, dialect: Dialect) -> list[GrammarIssue]:
        self.dialects.append(dialect)
        return [i for i in self.issues if text[i.start : i.end] == i.original]


def message(speaker: Speaker, text: str) -> TutorMessage:
    return TutorMessage(uuid4(), uuid4(), 1, speaker, text, InputMode.TEXT, [], datetime.now(UTC))


def test_stages_advance_every_two_turns_and_stop_at_discussion():
    stages = []
    stage = Stage.GREETING
    for turn in range(1, 10):
        stage = next_stage(stage, turn, mistakes=0)
        stages.append(stage)
    assert stages[:2] == [Stage.GREETING, Stage.VOCABULARY]
    assert stages[3] == Stage.SENTENCE_PRACTICE
    assert stages[-1] == Stage.TOPIC_DISCUSSION


def test_many_mistakes_switch_to_grammar_focus_until_a_clean_turn():
    assert next_stage(Stage.VOCABULARY, 3, mistakes=2) == Stage.GRAMMAR_FOCUS
    assert next_stage(Stage.GRAMMAR_FOCUS, 4, mistakes=1) == Stage.GRAMMAR_FOCUS
    assert next_stage(Stage.GRAMMAR_FOCUS, 5, mistakes=0) == Stage.TOPIC_DISCUSSION


def test_each_stage_asks_for_what_it_works_on():
    def plan(stage, topic="travel", corrected=None):
        return plan_question(BANK, topic, CefrLevel.A2, stage, 1, corrected, [])

    assert plan(Stage.GREETING).text in BANK.topic("travel").bands[Band.BASIC].warm_up
    taught = plan(Stage.VOCABULARY)
    assert taught.word in BANK.topic("travel").bands[Band.BASIC].words
    assert taught.text.endswith(f'Can you make a sentence with "{taught.word.word}"?')
    repeat = plan(Stage.GRAMMAR_FOCUS, corrected="He goes to school.")
    assert repeat.text == 'Can you say "He goes to school" again?'
    # Nothing to say again: grammar focus talks about the topic.
    assert plan(Stage.GRAMMAR_FOCUS).text.endswith("?")
    # A topic the bank does not know is taught from the templates, which name it.
    assert "gardening" in plan(Stage.GREETING, "gardening").text


def test_a_session_topic_finds_its_bank_topic_by_name_or_alias():
    assert BANK.topic("a trip to Lahore").name == "travel"
    assert BANK.topic("Daily life").name == "everyday life"
    assert BANK.topic("astronomy") is None


@pytest.mark.parametrize("topic", ["travel", "astronomy"])
@pytest.mark.parametrize("level", list(CefrLevel))
def test_a_twenty_turn_session_never_asks_a_discussion_question_twice(topic, level):
    said = []
    for turn in range(DISCUSSION_STARTS + 1, 21):
        question = plan_question(BANK, topic, level, Stage.TOPIC_DISCUSSION, turn, None, said)
        assert question.text not in said
        said.append(question.text)


def test_a_question_the_tutor_already_asked_is_passed_over():
    first = plan_question(BANK, "food", CefrLevel.B1, Stage.TOPIC_DISCUSSION, 6, None, [])
    again = plan_question(BANK, "food", CefrLevel.B1, Stage.TOPIC_DISCUSSION, 6, None, [first.text])
    assert again.text != first.text


def test_a_bank_short_of_questions_is_refused():
    travel = BANK.topic("travel")
    basic = travel.bands[Band.BASIC]
    short = replace(travel, bands={**travel.bands, Band.BASIC: replace(basic, words=())})
    with pytest.raises(ValueError, match="words"):
        check_question_bank(replace(BANK, topics=(short,)))
    missing = replace(travel, bands={Band.BASIC: basic})
    with pytest.raises(ValueError, match="independent"):
        check_question_bank(replace(BANK, topics=(missing,)))


@pytest.mark.parametrize(
    ("sentence", "said_back"),
    [
        ("Yesterday I went to the market.", "yesterday you went to the market"),
        ("I was late and my bus was full.", "you were late and your bus was full"),
        ("We're planning a trip.", "you're planning a trip"),
        ("He goes to school.", "he goes to school"),
        ("Where do you live?", None),  # a question is quoted, not said back
        ("Did I tell you about it.", None),  # "you" would become ambiguous
        ("Lahore is very big.", None),  # may be a name: not put in lower case
    ],
)
def test_a_sentence_is_said_back_to_its_speaker(sentence, said_back):
    assert to_second_person(sentence) == said_back


def test_a_recast_weaves_in_the_corrected_sentence_only():
    text = "I like tea. Yesterday I go to the market."
    corrections = [correction(text, "go", "went")]
    assert corrected_sentences(text, corrections) == ["Yesterday I went to the market."]
    assert recast(text, corrections, turn=1) == "I see, yesterday you went to the market."
    assert recast(text, corrections, turn=2) != recast(text, corrections, turn=1)
    question = "Where you are going?"
    quoted = recast(question, [correction(question, "you are", "are you")], turn=0)
    assert quoted == 'You could say: "Where are you going?"'
    assert recast(text, [], turn=1) is None


def test_refusals_are_recognised():
    assert refuses("You can read about history. I'm sorry, but I'm not an English tutor.")
    assert refuses("As an AI, I cannot have hobbies.")
    assert not refuses("Reading about history in the evening sounds relaxing.")


def test_what_the_model_may_say():
    on_topic = {"travel", "train", "ticket"}

    def judged(text, level=CefrLevel.A2, said=(), asks=False):
        return rejection(text, level, on_topic, list(said), asks=asks)

    assert judged("A train ride is a nice way to travel.") is None
    assert judged("") == Rejection.EMPTY
    assert judged("I'm sorry, I can't help with travel.") == Rejection.REFUSAL
    assert judged("**Travel** by train.") == Rejection.NOT_SPEECH
    long = "The train that goes along the coast is the most wonderful way to travel in spring."
    assert judged(long) == Rejection.ABOVE_LEVEL
    assert judged(long, level=CefrLevel.C1) is None
    assert judged("Apples are a popular fruit in the market.") == Rejection.OFF_TOPIC
    assert judged("A train is fast.", said=["Hello. A train is fast!"]) == Rejection.REPEATED
    assert judged("Do you like the train?") == Rejection.QUESTION
    assert judged("I like the train.", asks=True) == Rejection.NO_QUESTION
    assert judged("I like the train. Do you?", asks=True) is None


def context(stage=Stage.GREETING, turns=0, history=(), level=CefrLevel.A2, topic="travel"):
    return TurnContext(level, topic, stage, turns, list(history))


async def test_a_corrected_turn_is_recast_commented_and_followed_by_a_question():
    text = "Yesterday I go to the market and buyed tickets."
    model = ScriptedModel("A market trip sounds like fun! What did you buy? And")
    grammar = ListedGrammar([issue(text, "go", "went"), issue(text, "buyed", "bought")])
    american = replace(context(Stage.VOCABULARY, 2), dialect=Dialect.AMERICAN)
    reply = await Tutor(model, grammar, BANK).reply(american, text)
    assert reply.corrected_text == "Yesterday I went to the market and bought tickets."
    assert reply.next_stage == Stage.GRAMMAR_FOCUS
    assert reply.text == (
        "Right, yesterday you went to the market and bought tickets. "
        "A market trip sounds like fun! "
        'Can you say "Yesterday I went to the market and bought tickets" again?'
    )
    assert reply.provider == "scripted+listed"
    assert grammar.dialects == [Dialect.AMERICAN]
    asked = model.asked[0]
    assert asked[0].role == Role.SYSTEM and "A2" in asked[0].content
    assert "travel" in asked[0].content and "Do not ask a question" in asked[0].content
    assert asked[-1].content == text


@pytest.mark.parametrize(
    "said",
    [
        "I'm sorry, but I'm not an English tutor.",
        "   ",
        "Apples are a popular fruit in the UK.",
        "Where do you want to go?",
        "I like to read books about",
    ],
)
async def test_what_the_model_may_not_say_gives_way_to_the_rules(said):
    tutor = Tutor(ScriptedModel(said), ListedGrammar(), BANK)
    reply = await tutor.reply(context(), "I like to read books about history.")
    assert said.strip() not in reply.text or not said.strip()
    assert not refuses(reply.text)
    assert reply.text.endswith("?")
    assert reply.text.split()[0] in ("Nice!", "Good!", "Thank", "Very", "Great!", "Well")


async def test_a_model_that_fails_is_an_error_not_a_silent_reply():
    with pytest.raises(ServiceUnavailable):
        await Tutor(FailingModel(), ListedGrammar(), BANK).reply(context(), "Hello there.")


async def test_twenty_turns_ask_follow_ups_and_never_repeat_a_reply():
    tutor = Tutor(ScriptedModel("Travel by train is fun."), ListedGrammar(), BANK)
    history, stage, replies = [], Stage.GREETING, []
    for turn in range(20):
        reply = await tutor.reply(
            context(stage, turn, history[-HISTORY_MESSAGES:]), "I like the train."
        )
        replies.append(reply.text)
        history += [
            message(Speaker.LEARNER, "I like the train."),
            message(Speaker.TUTOR, reply.text),
        ]
        stage = reply.next_stage
    assert len(set(replies)) == 20
    assert sum(r.endswith("?") for r in replies) == 20
    # The model's comment is spoken once; after that it would repeat itself.
    assert sum("Travel by train is fun." in r for r in replies) == 1


async def test_a_conversing_model_phrases_the_turn_under_the_same_checks():
    text = "He go to school by train."
    grammar = ListedGrammar([issue(text, "go", "goes")])
    model = ScriptedModel("Trains are a relaxing way to travel. Do you buy a ticket every day?")
    tutor = Tutor(model, grammar, BANK, converses=True)
    reply = await tutor.reply(context(Stage.TOPIC_DISCUSSION, 8), text)
    assert reply.text == (
        "I see, he goes to school by train. "
        "Trains are a relaxing way to travel. Do you buy a ticket every day?"
    )
    assert "Do you like to go by bus, train or plane?" in model.asked[0][0].content or (
        "travel" in model.asked[0][0].content
    )
    refusing = Tutor(
        ScriptedModel("As an AI, I cannot talk about trains."), grammar, BANK, converses=True
    )
    ruled = await refusing.reply(context(Stage.TOPIC_DISCUSSION, 8), text)
    assert not refuses(ruled.text) and ruled.text.endswith("?")
    assert ruled.text.startswith("I see, he goes to school by train.")
