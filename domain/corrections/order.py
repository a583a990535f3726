"""Rules for word order: questions without inversion, inverted indirect questions, adverbs
between a verb and its object, adjectives after their noun."""

from domain.corrections.verbs import present, subjects
from domain.corrections.words import (
    BE,
    BE_PAST,
    DO_FORMS,
    FREQUENCY_ADVERBS,
    MODALS,
    PREPOSITIONS,
    WH_WORDS,
    Edit,
    Sentence,
    Subject,
    indefinite_article,
)
from ports.grammar import CorrectionKind

COLOURS = frozenset("red blue green yellow black white brown grey gray pink orange purple".split())
_ASKING = frozenset("know tell wonder ask remember forgot forget sure idea".split())
_TIME_PHRASES = ("every day", "every week", "every morning", "every evening", "every night")
_WH_PHRASE_WORDS = frozenset({"old", "much", "many", "time", "long", "often", "far"})


def _cased(words: str, first_of_sentence: bool) -> str:
    return words[:1].upper() + words[1:] if first_of_sentence else words


def _lowered(s: Sentence, subject: Subject) -> str:
    """The subject's text, lower-cased when it opened the sentence (unless it is "I" or a
    name)."""
    text = s.span_text(subject.first, subject.last)
    opens = subject.first == 0 and text.split()[0] != "I"
    if opens and not s.lexicon.is_name(s.tokens[0]):
        return text[:1].lower() + text[1:]
    return text


def question_order(s: Sentence) -> list[Edit]:
    """ "Where you live?" -> "Where do you live?"; "Why she is sad?" -> "Why is she sad?";
    "You like mangoes?" -> "Do you like mangoes?"."""
    if not s.is_question:
        return []
    start = 0
    if s.word(0) in WH_WORDS:
        start = 1
        if (
            s.subject_at(1) is None
            and s.word(1) in _WH_PHRASE_WORDS | {"bus"}
            or (
                s.word(0) in ("which", "what")
                and s.lexicon.is_noun(s.word(1))
                and s.subject_at(1) is None
            )
        ):
            start = 2
    subject = s.subject_at(start)
    if subject is None:
        return []
    k = subject.last
    verb = s.word(k)
    subject_text = _lowered(s, subject)
    opens = start == 0
    message = "A question puts the verb (or do, does, did) before the subject."
    if verb in BE or verb in BE_PAST or verb in MODALS or verb in ("didn't", "don't", "doesn't"):
        words = _cased(f"{s.tokens[k].text} {subject_text}", opens)
        return [Edit(start, k + 1, words, CorrectionKind.WORD_ORDER, message)]
    tag = s.lexicon.verb_tag(verb)
    lemma = s.lexicon.verb_lemma(verb)
    if verb in ("did", "does", "do"):  # "What you did?": "do" is the main verb
        tag, lemma = ("VBD" if verb == "did" else "VBZ"), "do"
    if tag not in ("VB", "VBZ", "VBD") or lemma is None:
        return []
    if tag == "VBD":
        do = "did"
    else:
        do = present(s, "do", subject.person)
    words = _cased(f"{do} {subject_text} {lemma}", opens)
    return [Edit(start, k + 1, words, CorrectionKind.WORD_ORDER, message)]


def indirect_question(s: Sentence) -> list[Edit]:
    """ "I don't know where is the station" -> "where the station is"; "Do you know where
    does he live?" -> "where he lives"."""
    edits = []
    for i, w in enumerate(s.words):
        if w not in WH_WORDS or i == 0 or not any(x in _ASKING for x in s.words[:i]):
            continue
        start = i + 1
        if s.word(start) in _WH_PHRASE_WORDS:
            start += 1
        first = s.word(start)
        message = "An indirect question keeps the order of a statement."
        if first in BE or first in BE_PAST:
            subject = s.subject_at(start + 1)
            # "where is the station" only when the subject ends the clause.
            if subject and (subject.last >= len(s) or not s.tokens[subject.last].is_word):
                words = f"{_lowered(s, subject)} {s.tokens[start].text}"
                edits.append(Edit(start, subject.last, words, CorrectionKind.WORD_ORDER, message))
        elif first in DO_FORMS and first in ("do", "does", "did"):
            subject = s.subject_at(start + 1)
            if subject is None:
                continue
            k = subject.last
            lemma = s.lexicon.verb_lemma(s.word(k))
            if lemma is None or s.lexicon.verb_tag(s.word(k)) != "VB":
                continue
            if first == "did":
                verb = s.lexicon.form(lemma, "VBD") or lemma
            else:
                verb = present(s, lemma, subject.person)
            words = f"{s.span_text(subject.first, subject.last)} {verb}"
            edits.append(Edit(start, k + 1, words, CorrectionKind.WORD_ORDER, message))
    return edits


def _object_end(s: Sentence, k: int) -> int:
    """The end of the object that starts at k: up to a preposition, punctuation or the end."""
    j = k
    while (
        j < len(s)
        and s.tokens[j].is_word
        and not (j > k and s.lexicon.classes(s.word(j)) & {"ADP"})
    ):
        if j > k and s.word(j) in ("in", "at", "on", "to", "for", "with", "after", "before"):
            break
        j += 1
    return j


def adverb_position(s: Sentence) -> list[Edit]:
    edits = []
    message = "This adverb goes before the main verb (after be, and after an auxiliary)."
    for subject in subjects(s):
        k = subject.last
        w = s.word(k)
        if w in FREQUENCY_ADVERBS and (s.word(k + 1) in BE or s.word(k + 1) in BE_PAST):
            words = f"{s.tokens[k + 1].text} {s.tokens[k].text}"
            edits.append(Edit(k, k + 2, words, CorrectionKind.WORD_ORDER, message))
        elif s.word(k + 1) in FREQUENCY_ADVERBS and w not in BE and w not in BE_PAST:
            tag = s.lexicon.verb_tag(w)
            if tag in ("VB", "VBZ", "VBD") and w not in MODALS and w not in DO_FORMS:
                words = f"{s.tokens[k + 1].text} {s.tokens[k].text}"
                edits.append(Edit(k, k + 2, words, CorrectionKind.WORD_ORDER, message))
    for i, w in enumerate(s.words):
        if w in ("have", "has", "had") and s.lexicon.verb_tag(s.word(i + 1)) == "VBN":
            if s.word(i + 2) in FREQUENCY_ADVERBS:
                words = f"{s.tokens[i + 2].text} {s.tokens[i + 1].text}"
                edits.append(Edit(i + 1, i + 3, words, CorrectionKind.WORD_ORDER, message))
    return edits


def adverb_before_object(s: Sentence) -> list[Edit]:
    """ "I like very much football" -> "I like football very much"; "speaks very well
    English", "learn quickly English", "cooks every day delicious food"."""
    edits = []
    message = "An adverb does not come between a verb and its object: put it after the object."
    for i in range(1, len(s)):
        if not s.lexicon.verb_tag(s.word(i - 1)) or s.word(i - 1) in BE:
            continue
        adverb_end = None
        pair = f"{s.word(i)} {s.word(i + 1)}"
        if pair in ("very much", "very well") or pair in _TIME_PHRASES:
            adverb_end = i + 2
        elif s.word(i).endswith("ly") and s.lexicon.classes(s.word(i)) == {"ADV"}:
            adverb_end = i + 1
        if adverb_end is None or adverb_end >= len(s) or not s.tokens[adverb_end].is_word:
            continue
        if s.word(adverb_end) in PREPOSITIONS or s.lexicon.classes(s.word(adverb_end)) == {"ADV"}:
            continue
        object_end = _object_end(s, adverb_end)
        if object_end == adverb_end:
            continue
        words = f"{s.span_text(adverb_end, object_end)} {s.span_text(i, adverb_end)}"
        edits.append(Edit(i, object_end, words, CorrectionKind.WORD_ORDER, message))
    return edits


def adjective_after_noun(s: Sentence) -> list[Edit]:
    """ "a car red" -> "a red car"; "old enough", not "enough old"."""
    edits = []
    for i, w in enumerate(s.words):
        noun, adjective = s.word(i + 1), s.word(i + 2)
        if (
            w in ("a", "an")
            and s.lexicon.is_noun(noun)
            and not s.lexicon.is_adjective_only(noun)
            and (adjective in COLOURS or s.lexicon.classes(adjective) == {"ADJ"})
            and adjective not in ("enough", "alone", "ago", "else", "old")
            and (i + 3 >= len(s) or not s.tokens[i + 3].is_word or s.word(i + 3) in PREPOSITIONS)
        ):
            article = indefinite_article(adjective)
            words = f"{article} {s.tokens[i + 2].text} {s.tokens[i + 1].text}"
            message = "In English the adjective comes before its noun."
            edits.append(Edit(i, i + 3, words, CorrectionKind.WORD_ORDER, message))
        if w == "enough" and "ADJ" in s.lexicon.classes(s.word(i + 1)):
            if not s.lexicon.is_noun(s.word(i + 2)):
                words = f"{s.tokens[i + 1].text} {s.tokens[i].text}"
                message = '"enough" comes after an adjective.'
                edits.append(Edit(i, i + 2, words, CorrectionKind.WORD_ORDER, message))
    return edits


def please_first(s: Sentence) -> list[Edit]:
    """ "Tell me please your name" -> "Please tell me your name"."""
    if (
        s.word(2) != "please"
        or s.word(1) not in ("me", "us")
        or not s.lexicon.is_base_verb(s.word(0))
    ):
        return []
    words = f"Please {s.tokens[0].text.lower()} {s.tokens[1].text}"
    message = '"Please" goes at the start of the request (or at its end).'
    return [Edit(0, 3, words, CorrectionKind.WORD_ORDER, message)]


RULES = [
    question_order,
    indirect_question,
    adverb_position,
    adverb_before_object,
    adjective_after_noun,
    please_first,
]
