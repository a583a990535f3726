"""Recasts: the learner's sentence said back correctly, woven into the tutor's reply as a
tutor does in conversation ("Oh, yesterday you went to the market!"), rather than a
correction announced. The corrections themselves are the grammar checker's."""

import re

from domain.corrections import corrected_text
from ports.grammar import Correction

_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|[^A-Za-z]+")
SAID_BACK = {  # a learner's first person, as the tutor says it back
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
    "am": "are",
    "i'm": "you're",
    "i've": "you've",
    "i'll": "you'll",
    "i'd": "you'd",
    "we're": "you're",
    "we've": "you've",
    "we'll": "you'll",
    "we'd": "you'd",
}
_SECOND_PERSON = frozenset("you your yours yourself yourselves you're you've you'll you'd".split())
# Words that may open a sentence in lower case inside another: no names among them.
_PLAIN_OPENERS = frozenset(
    "a an the my our his her their its this that these those there it he she they we i "
    "yesterday today tomorrow tonight last next every on in at when after before some many "
    "most usually sometimes always often never now then and but so because if".split()
)
MAX_RECAST_WORDS = 24
"""Longer sentences are quoted rather than recast: a long echo buries the reply."""
_RECASTS = ("Oh, {}!", "I see, {}.", "Ah, so {}.", "Right, {}.")
_QUOTED = ('You could say: "{}"', 'We say: "{}"', 'Say it like this: "{}"')


def corrected_sentences(text: str, corrections: list[Correction]) -> list[str]:
    """Each sentence of `text` that holds a correction with a suggestion, corrected; the
    sentences without any are left out (the learner said those well)."""
    result = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        inside = [
            Correction(c.start - start, c.end - start, c.original, c.suggestion, c.message, c.kind)
            for c in corrections
            if c.suggestion is not None and start <= c.start and c.end <= end
        ]
        if inside:
            sentence = corrected_text(match.group(), inside).strip()
            result.append(sentence[:1].upper() + sentence[1:])
    return result


def to_second_person(sentence: str) -> str | None:
    """The sentence as the tutor says it back to its speaker ("I was late" -> "you were
    late"), opening in lower case; None when that cannot be done safely: a sentence
    that speaks to "you" already, a question, or one that opens with a word that may be a
    name."""
    tokens = _TOKEN.findall(sentence.strip().rstrip(".!"))
    words = [t for t in tokens if t[0].isalpha()]
    if (
        not words
        or sentence.rstrip().endswith("?")
        or any(w.lower() in _SECOND_PERSON for w in words)
        or not (words[0].lower() in _PLAIN_OPENERS or words[0].lower() in SAID_BACK)
    ):
        return None
    said, previous = [], ""
    for token in tokens:
        lower = token.lower()
        if lower == "was" and previous in ("i", "we"):
            token = "were"
        elif lower in SAID_BACK:
            token = SAID_BACK[lower]
        if token[0].isalpha():
            previous = lower
        said.append(token)
    shifted = "".join(said).strip()
    return shifted[:1].lower() + shifted[1:]


def recast(text: str, corrections: list[Correction], turn: int) -> str | None:
    """The learner's corrected sentences woven into a short echo, its frame changing from
    turn to turn; None when no correction has a suggestion."""
    sentences = corrected_sentences(text, corrections)
    if not sentences:
        return None
    sentence = " ".join(sentences)
    shifted = to_second_person(sentence) if len(sentences) == 1 else None
    if shifted and len(shifted.split()) <= MAX_RECAST_WORDS:
        return _RECASTS[turn % len(_RECASTS)].format(shifted)
    return _QUOTED[turn % len(_QUOTED)].format(sentence)
