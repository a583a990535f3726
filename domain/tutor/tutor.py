"""The tutor's answer to one learner turn: a grammar checker finds the mistakes, a language
model talks back, and the stage moves on (000's English-only flow, 002's sessions)."""

import asyncio
import re

from domain.corrections import corrected_text, corrections_of
from domain.errors import ServiceUnavailable
from ports.cefr import CefrLevel
from ports.grammar import GrammarChecker
from ports.language_model import ChatMessage, LanguageModel, Role
from ports.tutoring import Speaker, Stage, TurnContext, TutorReply

HISTORY_TURNS = 6
"""Earlier messages the model sees: enough to stay on topic, few enough for a small model's
context and a fast turn."""
MAX_REPLY_SENTENCES = 3
MAX_REPLY_TOKENS = 96

_LEVEL_STYLE = {
    CefrLevel.A1: "very short, simple sentences and only the most common words",
    CefrLevel.A2: "short, simple sentences and common everyday words",
    CefrLevel.B1: "clear sentences and everyday vocabulary",
    CefrLevel.B2: "natural sentences with some less common vocabulary",
    CefrLevel.C1: "natural, varied sentences and idiomatic vocabulary",
    CefrLevel.C2: "the language a fluent native speaker would use",
}

_STAGE_TASK = {
    Stage.GREETING: "Welcome the learner and ask one friendly question about {topic}.",
    Stage.VOCABULARY: "Teach one useful word about {topic}, say what it means, and ask the "
    "learner to use it in a sentence.",
    Stage.SENTENCE_PRACTICE: "Ask the learner to say one full sentence about {topic}.",
    Stage.TOPIC_DISCUSSION: "Talk about {topic}: answer the learner and ask one follow-up "
    "question.",
    Stage.GRAMMAR_FOCUS: "The learner made grammar mistakes. Encourage them and ask them to "
    "say the corrected sentence again.",
}

_STAGE_ORDER = [Stage.GREETING, Stage.VOCABULARY, Stage.SENTENCE_PRACTICE, Stage.TOPIC_DISCUSSION]
GRAMMAR_FOCUS_ISSUES = 2
"""A turn with this many mistakes moves the conversation to grammar focus."""


def next_stage(stage: Stage, learner_turns: int, mistakes: int) -> Stage:
    """Each stage but the last lasts two learner turns; a turn with many mistakes switches
    to grammar focus, and a clean turn there returns to the topic."""
    if mistakes >= GRAMMAR_FOCUS_ISSUES:
        return Stage.GRAMMAR_FOCUS
    if stage == Stage.GRAMMAR_FOCUS:
        return Stage.TOPIC_DISCUSSION if mistakes == 0 else Stage.GRAMMAR_FOCUS
    position = min(learner_turns // 2, len(_STAGE_ORDER) - 1)
    return max(stage, _STAGE_ORDER[position], key=_STAGE_ORDER.index)


def system_prompt(context: TurnContext) -> str:
    return (
        "You are a friendly English tutor talking with a learner at CEFR level "
        f"{context.level.value}. Use {_LEVEL_STYLE[context.level]}. "
        f"{_STAGE_TASK[context.stage].format(topic=context.topic)} "
        f"Reply in at most {MAX_REPLY_SENTENCES} sentences."
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def tidy_reply(text: str) -> str:
    """The model's reply cut to whole sentences, at most MAX_REPLY_SENTENCES: small models
    ramble, and a reply that stops mid-sentence sounds broken when spoken."""
    text = " ".join(text.split())
    sentences = _SENTENCE_END.split(text)
    complete = [s for s in sentences if s[-1:] in ".!?"]
    return " ".join((complete or sentences)[:MAX_REPLY_SENTENCES])


class Tutor:
    """TutorReplies in this process (the Tutor deployment runs one)."""

    def __init__(self, model: LanguageModel, grammar: GrammarChecker) -> None:
        self._model = model
        self._grammar = grammar
        self.provider = f"{model.provider}+{grammar.provider}"

    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        messages = [ChatMessage(Role.SYSTEM, system_prompt(context))]
        for m in context.history[-HISTORY_TURNS:]:
            role = Role.USER if m.speaker == Speaker.LEARNER else Role.ASSISTANT
            messages.append(ChatMessage(role, m.text))
        messages.append(ChatMessage(Role.USER, learner_text))
        issues, answer = await asyncio.gather(
            self._grammar.check(learner_text, context.dialect),
            self._model.complete(messages, max_tokens=MAX_REPLY_TOKENS),
        )
        corrections = corrections_of(issues)
        corrected = corrected_text(learner_text, corrections)
        corrected = corrected if corrected != learner_text else None
        spoken = tidy_reply(answer)
        if not spoken:
            raise ServiceUnavailable("The tutor's language model gave an empty reply")
        if corrected:
            spoken = f'You could say: "{corrected}" {spoken}'.strip()
        return TutorReply(
            text=spoken,
            corrections=corrections,
            corrected_text=corrected,
            next_stage=next_stage(context.stage, context.learner_turns + 1, len(corrections)),
            provider=self.provider,
        )
