"""The tutor's rules: stages, corrections, replies cut to whole sentences, and what the
language model is asked."""

import pytest

from domain.errors import ServiceUnavailable
from domain.tutor.tutor import Tutor, next_stage, system_prompt, tidy_reply
from ports.cefr import CefrLevel
from ports.grammar import CorrectionKind, Dialect, GrammarIssue
from ports.language_model import ChatMessage, Role
from ports.tutoring import Stage, TurnContext


def issue(
    text: str,
    original: str,
    suggestion: str | None,
    kind: CorrectionKind = CorrectionKind.AGREEMENT,
):
    start = text.index(original)
    suggestions = [suggestion] if suggestion else []
    return GrammarIssue(start, start + len(original), original, suggestions, "fix it", kind)


class ScriptedModel:
    """A LanguageModel that answers from a script and records what it was asked."""

    provider = "scripted"

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked: list[list[ChatMessage]] = []

    async def complete(self, messages, **options) -> str:
        self.asked.append(messages)
        return self.answer


class ListedGrammar:
    provider = "listed"

    def __init__(self, issues: list[GrammarIssue]) -> None:
        self.issues = issues
        self.dialects: list[Dialect] = []

    async def check(self, text: str, dialect: Dialect) -> list[GrammarIssue]:
        self.dialects.append(dialect)
        return self.issues


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


def test_a_reply_is_cut_to_whole_sentences():
    assert tidy_reply("That is great!  What do you like?\nI also like") == (
        "That is great! What do you like?"
    )
    assert tidy_reply("One. Two. Three. Four.") == "One. Two. Three."
    assert tidy_reply("no punctuation at all") == "no punctuation at all"


def test_the_prompt_names_level_stage_and_topic():
    prompt = system_prompt(TurnContext(CefrLevel.A1, "food", Stage.VOCABULARY))
    assert "A1" in prompt and "food" in prompt and "very short" in prompt


async def test_a_turn_with_mistakes_is_corrected_aloud_and_moves_to_grammar_focus():
    text = "Yesterday I go to the market and buyed apples."
    model = ScriptedModel("Nice! What else did you buy? I like apples too. And")
    grammar = ListedGrammar([issue(text, "go", "went"), issue(text, "buyed", "bought")])
    context = TurnContext(
        CefrLevel.A2, "shopping", Stage.VOCABULARY, learner_turns=2, dialect=Dialect.AMERICAN
    )
    reply = await Tutor(model, grammar).reply(context, text)
    corrected = "Yesterday I went to the market and bought apples."
    assert reply.corrected_text == corrected
    assert (
        reply.text
        == f'You could say: "{corrected}" Nice! What else did you buy? I like apples too.'
    )
    assert [c.suggestion for c in reply.corrections] == ["went", "bought"]
    assert reply.next_stage == Stage.GRAMMAR_FOCUS
    assert reply.provider == "scripted+listed"
    assert grammar.dialects == [Dialect.AMERICAN]
    asked = model.asked[0]
    assert asked[0].role == Role.SYSTEM and "A2" in asked[0].content
    assert asked[-1] == ChatMessage(Role.USER, text)


async def test_an_empty_model_reply_is_a_failure_not_silence():
    tutor = Tutor(ScriptedModel("   "), ListedGrammar([]))
    with pytest.raises(ServiceUnavailable):
        await tutor.reply(TurnContext(CefrLevel.B1, "travel", Stage.GREETING), "Hello there.")
