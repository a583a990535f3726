"""Rules for what words take after them: the preposition after an adjective or a verb, the
preposition before a time, and the pattern a verb takes ("explain it to me", "enjoy
playing", "told me")."""

import re

from domain.corrections.words import OBJECT_PRONOUNS, SUBJECT_PRONOUNS, Edit, Sentence
from ports.grammar import CorrectionKind

# (lemma or word, wrong preposition) -> right preposition
PREPOSITION_AFTER = {
    ("married", "with"): "to",
    ("depend", "of"): "on",
    ("depend", "from"): "on",
    ("good", "in"): "at",
    ("bad", "in"): "at",
    ("interested", "for"): "in",
    ("interested", "on"): "in",
    ("interested", "about"): "in",
    ("afraid", "from"): "of",
    ("scared", "from"): "of",
    ("angry", "on"): "with",
    ("responsible", "of"): "for",
    ("proud", "on"): "of",
    ("proud", "for"): "of",
    ("worried", "for"): "about",
    ("tired", "from"): "of",
    ("fond", "about"): "of",
    ("fond", "with"): "of",
    ("different", "than"): "from",
    ("arrive", "to"): "at",
    ("listen", "at"): "to",
    ("wait", "from"): "for",
}
# A preposition that needs no other word ("near to", "discuss about", "return back").
NEEDLESS_AFTER = {
    ("near", "to"),
    ("discuss", "about"),
    ("reach", "to"),
    ("enter", "into"),
    ("return", "back"),
    ("call", "to"),
    ("ask", "to"),
    ("going", "to"),
}
_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_PARTS_OF_DAY = frozenset({"morning", "afternoon", "evening"})
_GERUND_VERBS = frozenset("enjoy finish avoid mind keep practise practice stop".split())
_EXPLAIN_VERBS = frozenset({"explain", "describe"})
_CLAUSE_WORDS = frozenset({"how", "what", "why", "where", "when", "who", "that", "if"})
_OBJECTS = frozenset(OBJECT_PRONOUNS.values()) | {"you", "it"}


def _lemma(s: Sentence, w: str) -> str:
    return s.lexicon.verb_lemma(w) or w


def prepositions(s: Sentence) -> list[Edit]:
    edits = []
    for i in range(1, len(s)):
        w, prep = s.word(i - 1), s.word(i)
        key = (w, prep) if (w, prep) in PREPOSITION_AFTER else (_lemma(s, w), prep)
        right = PREPOSITION_AFTER.get(key)
        if key[0] == "arrive" and right and i + 1 < len(s) and s.lexicon.is_name(s.tokens[i + 1]):
            right = "in"  # "arrived in Lahore"
        if key[0] == "good" and s.word(i + 1) in ("the", "a"):
            continue
        if right:
            message = f'"{s.tokens[i - 1].text}" takes "{right}", not "{prep}".'
            edits.append(Edit(i, i + 1, right, CorrectionKind.PREPOSITION, message))
            continue
        if (key[0], prep) in NEEDLESS_AFTER or (w, prep) in NEEDLESS_AFTER:
            if prep == "to" and w == "going" and s.word(i + 1) != "home":
                continue
            if prep == "to" and key[0] in ("call", "ask") and s.word(i + 1) not in _OBJECTS:
                continue
            message = f'"{s.tokens[i - 1].text}" needs no "{prep}" here.'
            edits.append(
                Edit(i - 1, i + 1, s.tokens[i - 1].text, CorrectionKind.PREPOSITION, message)
            )
    edits.extend(_object_verbs(s))
    return edits


def _object_verbs(s: Sentence) -> list[Edit]:
    """ "let me to help", "made me to study": no "to" after the object of let and make;
    "congratulated me for" -> "on"."""
    edits = []
    for i, w in enumerate(s.words):
        if _lemma(s, w) == "congratulate" and s.word(i + 2) == "for":
            message = f'"{s.tokens[i].text}" someone takes "on", not "for".'
            edits.append(Edit(i + 2, i + 3, "on", CorrectionKind.PREPOSITION, message))
        if _lemma(s, w) in ("let", "make") and s.word(i + 2) == "to":
            if s.word(i + 1) in _OBJECTS:
                message = f'After "{s.tokens[i].text} {s.tokens[i + 1].text}" the verb has no "to".'
                edits.append(
                    Edit(i + 1, i + 3, s.tokens[i + 1].text, CorrectionKind.VERB_PATTERN, message)
                )
    return edits


def time_prepositions(s: Sentence) -> list[Edit]:
    """on Monday, in the morning, at night, at ten o'clock, in 1998."""
    edits = []
    for i, w in enumerate(s.words):
        after, then = s.word(i + 1), s.word(i + 2)
        right = None
        if w in ("in", "at") and after in _DAYS:
            right = "on"
        elif w in ("at", "on") and after == "the" and then in _PARTS_OF_DAY:
            right = "in"
        elif w in ("in", "on") and after == "night":
            right = "at"
        elif (
            w in ("in", "on")
            and re.fullmatch(r"\d{1,2}(:\d\d)?", after)
            and then in ("o'clock", "pm", "am", "p", "a")
        ):
            right = "at"
        elif w in ("on", "at") and re.fullmatch(r"1[89]\d\d|20\d\d", after):
            right = "in"
        elif w == "at" and i + 1 < len(s) and s.lexicon.is_name(s.tokens[i + 1]):
            if _lemma(s, s.word(i - 1)) == "live":
                right = "in"
        if right and right != w:
            message = f'"{right}" goes with this time or place.'
            edits.append(Edit(i, i + 1, right, CorrectionKind.PREPOSITION, message))
    return edits


def _noun_phrase_end(s: Sentence, k: int) -> int:
    j = k
    while (
        j < len(s)
        and s.tokens[j].is_word
        and s.word(j) not in ("to", "for", "in", "at", "on", "because")
    ):
        j += 1
    return j


def verb_patterns(s: Sentence) -> list[Edit]:
    edits = []
    objects = _OBJECTS - {"it"}
    for i, w in enumerate(s.words):
        lemma = _lemma(s, w)
        after = s.word(i + 1)
        if lemma in _EXPLAIN_VERBS and after in objects:
            message = f'"{lemma}" takes "to" before the person: "{lemma} something to someone".'
            if s.word(i + 2) in _CLAUSE_WORDS:
                words = f"{s.tokens[i].text} to {s.tokens[i + 1].text}"
                edits.append(Edit(i, i + 2, words, CorrectionKind.VERB_PATTERN, message))
            else:
                end = _noun_phrase_end(s, i + 2)
                if end > i + 2:
                    words = (
                        f"{s.tokens[i].text} {s.span_text(i + 2, end)} to {s.tokens[i + 1].text}"
                    )
                    edits.append(Edit(i, end, words, CorrectionKind.VERB_PATTERN, message))
        elif (
            lemma == "listen"
            and after not in ("to", "")
            and s.tokens[i + 1].is_word
            and after not in ("carefully", "again")
        ):
            message = '"listen" takes "to" before what you hear.'
            edits.append(
                Edit(i, i + 1, f"{s.tokens[i].text} to", CorrectionKind.VERB_PATTERN, message)
            )
        elif w in ("said", "say", "says") and after in objects:
            told = {"said": "told", "say": "tell", "says": "tells"}[w]
            message = f'"{w}" takes no person after it: "{told} me" or "{w} to me".'
            edits.append(Edit(i, i + 1, told, CorrectionKind.VERB_PATTERN, message))
        elif lemma in _GERUND_VERBS and after == "to" and s.lexicon.is_base_verb(s.word(i + 2)):
            gerund = s.lexicon.form(s.word(i + 2), "VBG")
            if gerund:
                message = f'"{lemma}" takes the -ing form: "{gerund}".'
                edits.append(Edit(i + 1, i + 3, gerund, CorrectionKind.VERB_PATTERN, message))
        elif lemma == "think" and after == "to" and s.lexicon.is_base_verb(s.word(i + 2)):
            gerund = s.lexicon.form(s.word(i + 2), "VBG")
            if gerund:
                message = '"thinking of" takes the -ing form.'
                edits.append(
                    Edit(i + 1, i + 3, f"of {gerund}", CorrectionKind.VERB_PATTERN, message)
                )
        elif lemma == "want" and after == "that" and s.word(i + 2) in SUBJECT_PRONOUNS:
            pronoun = s.word(i + 2)
            verb = s.lexicon.verb_lemma(s.word(i + 3))
            if verb:
                obj = OBJECT_PRONOUNS.get(pronoun, pronoun)
                message = '"want" takes an object and "to": "want me to come".'
                edits.append(
                    Edit(i + 1, i + 4, f"{obj} to {verb}", CorrectionKind.VERB_PATTERN, message)
                )
        elif lemma == "suggest" and after in objects and s.word(i + 2) == "to":
            subject = {v: k for k, v in OBJECT_PRONOUNS.items()}.get(after, after)
            subject = "I" if subject == "i" else subject
            verb = s.word(i + 3)
            message = '"suggest" takes a clause: "suggested that I see".'
            edits.append(
                Edit(i + 1, i + 4, f"that {subject} {verb}", CorrectionKind.VERB_PATTERN, message)
            )
    return edits


RULES = [prepositions, time_prepositions, verb_patterns]
