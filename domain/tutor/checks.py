"""What the tutor's language model may say. Its words are spoken only when they pass every
check here; otherwise the tutor's rules answer alone. A small model refuses ("I'm sorry, but
I'm not an English tutor."), wanders off the topic, writes above the learner's level and
repeats itself; a large one sometimes does too."""

import re
from enum import StrEnum

from domain.curriculum.evaluation import content_words
from ports.cefr import CefrLevel

_REFUSAL = re.compile(
    r"\b(sorry|apologi[sz]e|i can ?not|i can't|i'm (not able|unable)|i am (not able|unable)|"
    r"unable to|not (allowed|able) to|not (an? |your )?(english |language )?(tutor|teacher)|"
    r"as an ai|an ai\b|language model|i don't know|i do not know|i'm just|i am just)",
    re.IGNORECASE,
)
# Markup, role labels and links: a model that writes these is not talking to a learner.
_NOT_SPEECH = re.compile(r"[<>#*\[\]{}@|_=\\]|https?:|\b(learner|tutor|user|assistant):", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MAX_WORDS = {
    CefrLevel.A1: 12,
    CefrLevel.A2: 14,
    CefrLevel.B1: 18,
    CefrLevel.B2: 22,
    CefrLevel.C1: 28,
    CefrLevel.C2: 28,
}
"""Words in one sentence of the model's at each level: a long sentence is above a beginner."""


class Rejection(StrEnum):
    """Why the model's words were not spoken."""

    EMPTY = "empty"
    REFUSAL = "refusal"
    NOT_SPEECH = "not_speech"
    ABOVE_LEVEL = "above_level"
    OFF_TOPIC = "off_topic"
    REPEATED = "repeated"
    QUESTION = "question"
    NO_QUESTION = "no_question"


def refuses(text: str) -> bool:
    """Whether the text refuses, apologises or says the speaker is not a tutor."""
    return _REFUSAL.search(text.replace("\u2019", "'")) is not None


def sentences_of(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if s]


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower().replace("\u2019", "'")))


def said_before(text: str, said: list[str]) -> bool:
    """Whether a sentence of `text` is one the tutor said earlier (`said`, its messages)."""
    earlier = {_normal(s) for message in said for s in sentences_of(message)}
    return any(_normal(s) in earlier for s in sentences_of(text))


def rejection(
    text: str,
    level: CefrLevel,
    on_topic: set[str],
    said: list[str],
    *,
    asks: bool,
) -> Rejection | None:
    """Why `text` may not be spoken, or None when it may. `on_topic` holds the content words
    (domain.curriculum.evaluation.content_words) of the session's topic and of the turn: a
    text that shares none of them is off the topic. `asks`: the text must end with a
    question (the model phrases the whole turn); otherwise it must ask none (the rules ask)."""
    sentences = sentences_of(text)
    if not sentences:
        return Rejection.EMPTY
    if refuses(text):
        return Rejection.REFUSAL
    if _NOT_SPEECH.search(text) or not text.isascii():
        return Rejection.NOT_SPEECH
    if any(len(s.split()) > MAX_WORDS[level] for s in sentences):
        return Rejection.ABOVE_LEVEL
    if not content_words(text) & on_topic:
        return Rejection.OFF_TOPIC
    if said_before(text, said):
        return Rejection.REPEATED
    if asks and not text.endswith("?"):
        return Rejection.NO_QUESTION
    if not asks and "?" in text:
        return Rejection.QUESTION
    return None
