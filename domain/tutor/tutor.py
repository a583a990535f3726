"""The tutor's answer to one learner turn (000's English-only flow, 002's sessions).

A turn's reply is built by rules, with the language model phrasing inside them:
1. the grammar checker finds the learner's mistakes; when it has a fix, the reply recasts the
   learner's sentence correctly (recasts.py);
2. the model comments on what the learner said in one short sentence, spoken only if it
   passes every check (checks.py: no refusal, on the topic, at the level, not said before,
   no question); otherwise the rules acknowledge the turn;
3. the reply ends with the stage plan's next question (questions.py): a warm-up question,
   a word to use, a sentence to make, a question about the topic, or the corrected sentence
   to say again; never one asked before in the session while others remain.
A capable model (an OpenAI-compatible provider) may phrase steps 2 and 3 together, guided by
the planned question, under the same checks; what fails them gives way to the rules."""

import asyncio

from domain.corrections import corrected_text, corrections_of
from domain.curriculum.evaluation import content_words
from domain.tutor.checks import MAX_WORDS, rejection, sentences_of
from domain.tutor.questions import BAND_OF_LEVEL, Band, QuestionBank, next_stage, plan_question
from domain.tutor.recasts import corrected_sentences, recast
from ports.cefr import CefrLevel
from ports.grammar import GrammarChecker
from ports.language_model import ChatMessage, LanguageModel, Role
from ports.tutoring import Speaker, TurnContext, TutorReply

HISTORY_TURNS = 2
"""Earlier messages the commenting model sees: the question the learner answers, and the
learner's turn before it. More only slows a small model and pulls it off the turn."""
CONVERSING_HISTORY_TURNS = 6
COMMENT_TOKENS = 40
CONVERSING_TOKENS = 120
COMMENT_TEMPERATURE = 0.5
MAX_CONVERSING_SENTENCES = 3

_LEVEL_STYLE = {
    CefrLevel.A1: "very short, simple words",
    CefrLevel.A2: "short, simple everyday words",
    CefrLevel.B1: "clear, everyday words",
    CefrLevel.B2: "natural words, some less common",
    CefrLevel.C1: "natural, varied and idiomatic words",
    CefrLevel.C2: "the words a fluent native speaker would use",
}

# The rules' acknowledgements when the model's words are not spoken, by band and in turn.
_ACKNOWLEDGEMENTS = {
    Band.BASIC: ("Good!", "Nice!", "Thank you.", "Very good.", "Great!", "Well done."),
    Band.INDEPENDENT: (
        "That's interesting.",
        "Thanks for telling me.",
        "Good answer.",
        "I like that.",
        "Nicely said.",
        "That makes sense.",
    ),
    Band.PROFICIENT: (
        "That's an interesting point.",
        "Thanks for sharing that.",
        "Well put.",
        "I see what you mean.",
        "That's a thoughtful answer.",
        "Fair enough.",
    ),
}


def comment_prompt(context: TurnContext) -> str:
    """What the model is asked for when the rules ask the question: a comment only."""
    return (
        "You are a kind English tutor talking with a learner at CEFR level "
        f"{context.level.value} about {context.topic}. Answer the learner's last message "
        f"with one short sentence of at most {MAX_WORDS[context.level] - 2} words about "
        f"what they said. Use {_LEVEL_STYLE[context.level]}. Do not ask a question."
    )


def conversing_prompt(context: TurnContext, question: str) -> str:
    """What a capable model is asked for: the whole turn, ending with a question."""
    return (
        "You are a friendly English tutor talking with a learner at CEFR level "
        f"{context.level.value} about {context.topic}. Use {_LEVEL_STYLE[context.level]}, "
        f"at most {MAX_WORDS[context.level]} words a sentence. Reply in at most "
        f"{MAX_CONVERSING_SENTENCES} sentences: react to what the learner said, then ask "
        f"this question or one close to it: {question} Never correct the learner's grammar "
        "(that is done already), never refuse, and end with the question."
    )


def first_statement(text: str) -> str:
    """The model's first sentence when it is a whole statement, else nothing: the rules ask
    the question, a reply cut mid-sentence sounds broken when spoken, and a small model's
    second sentence is where it starts to invent."""
    sentences = sentences_of(text)
    return sentences[0] if sentences and sentences[0][-1] in ".!" else ""


def _messages(
    system: str, context: TurnContext, learner_text: str, turns: int
) -> list[ChatMessage]:
    messages = [ChatMessage(Role.SYSTEM, system)]
    for m in context.history[-turns:] if turns else []:
        role = Role.USER if m.speaker == Speaker.LEARNER else Role.ASSISTANT
        messages.append(ChatMessage(role, m.text))
    messages.append(ChatMessage(Role.USER, learner_text))
    return messages


class Tutor:
    """TutorReplies in this process (the Tutor deployment runs one). `converses`: the model
    may phrase the whole turn (a capable model); otherwise it only comments."""

    def __init__(
        self,
        model: LanguageModel,
        grammar: GrammarChecker,
        questions: QuestionBank,
        *,
        converses: bool = False,
    ) -> None:
        self._model = model
        self._grammar = grammar
        self._questions = questions
        self.converses = converses
        self.provider = f"{model.provider}+{grammar.provider}"

    async def _comment(self, context: TurnContext, learner_text: str) -> str:
        messages = _messages(comment_prompt(context), context, learner_text, HISTORY_TURNS)
        answer = await self._model.complete(
            messages, max_tokens=COMMENT_TOKENS, temperature=COMMENT_TEMPERATURE
        )
        return first_statement(answer)

    async def _converse(self, context: TurnContext, learner_text: str, question: str) -> str:
        system = conversing_prompt(context, question)
        messages = _messages(system, context, learner_text, CONVERSING_HISTORY_TURNS)
        answer = await self._model.complete(messages, max_tokens=CONVERSING_TOKENS)
        return " ".join(sentences_of(answer)[:MAX_CONVERSING_SENTENCES])

    def _on_topic(self, topic: str, learner_text: str, question: str) -> set[str]:
        """The words a reply on the topic and the turn may share with them."""
        known = self._questions.topic(topic)
        keywords = known.keywords if known else ()
        return content_words(" ".join([topic, learner_text, question, *keywords]))

    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        turn = context.learner_turns + 1
        if self.converses:
            issues, comment = await self._grammar.check(learner_text, context.dialect), ""
        else:
            issues, comment = await asyncio.gather(
                self._grammar.check(learner_text, context.dialect),
                self._comment(context, learner_text),
            )
        corrections = corrections_of(issues)
        corrected = corrected_text(learner_text, corrections)
        stage = next_stage(context.stage, turn, len(corrections))
        said = [m.text for m in context.history if m.speaker == Speaker.TUTOR]
        to_repeat = " ".join(corrected_sentences(learner_text, corrections)) or None
        question = plan_question(
            self._questions, context.topic, context.level, stage, turn, to_repeat, said
        ).text
        on_topic = self._on_topic(context.topic, learner_text, question)
        echo = recast(learner_text, corrections, turn)
        parts = None
        if self.converses:
            answer = await self._converse(context, learner_text, question)
            if rejection(answer, context.level, on_topic, said, asks=True) is None:
                parts = [echo, answer]
        if parts is None:
            # A comment that repeats the learner's words parrots them (small models do).
            parroted = [*said, learner_text]
            if rejection(comment, context.level, on_topic, parroted, asks=False) is not None:
                comment = ""
            if not (comment or echo):
                acknowledgements = _ACKNOWLEDGEMENTS[BAND_OF_LEVEL[context.level]]
                comment = acknowledgements[turn % len(acknowledgements)]
            parts = [echo, comment, question]
        return TutorReply(
            text=" ".join(p for p in parts if p),
            corrections=corrections,
            corrected_text=corrected if corrected != learner_text else None,
            next_stage=stage,
            provider=self.provider,
        )
