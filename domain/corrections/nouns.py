"""Rules for nouns and what goes with them: plurals after numbers, uncountable nouns made
plural, the article before a job or a singular noun, comparatives and superlatives."""

import re

from domain.corrections.words import (
    BE,
    BE_PAST,
    DETERMINERS,
    NUMBER_WORDS,
    PREPOSITIONS,
    PROFESSIONS,
    Edit,
    Sentence,
    indefinite_article,
)
from ports.grammar import CorrectionKind

UNCOUNTABLE = frozenset(
    "information advice furniture homework luggage baggage equipment research knowledge "
    "traffic news weather music money bread rice water tea coffee milk food work hair "
    "progress evidence luck fun rain snow sugar salt".split()
)
_UNCOUNTABLE_PLURALS = {
    "informations": "information",
    "advices": "advice",
    "furnitures": "furniture",
    "homeworks": "homework",
    "luggages": "luggage",
    "baggages": "baggage",
    "equipments": "equipment",
    "researches": "research",
    "knowledges": "knowledge",
    "traffics": "traffic",
    "breads": "bread",
    "evidences": "evidence",
}
_BEFORE_A_JOB = frozenset(
    {"am", "is", "are", "was", "were", "be", "become", "became", "becomes", "'m", "as"}
)
_AILMENTS = frozenset(
    "headache toothache stomachache backache earache cold fever cough temperature".split()
)
_DEGREE_WORDS = frozenset({"very", "so", "too", "really", "quite", "enough", "more", "most"})
_GOOD_TIME = frozenset("good great nice wonderful lovely bad terrible fantastic".split())
_IRREGULAR_COMPARISON = {
    "gooder": "better",
    "badder": "worse",
    "goodest": "best",
    "baddest": "worst",
}
_NOT_COUNTED = frozenset({"o'clock", "pm", "am", "percent"})
_NOT_A_COUNT = re.compile(r"\d{4}|\d+[.,:]\d+")


def _singular_noun(s: Sentence, k: int) -> bool:
    w = s.word(k)
    return (
        k < len(s)
        and s.tokens[k].is_word
        and w in s.lexicon.lemmas(w, "NOUN")
        and w not in UNCOUNTABLE
        and w not in NUMBER_WORDS
        and not s.lexicon.is_name(s.tokens[k])
    )


def _unknown_word(s: Sentence, k: int) -> bool:
    """A lower-case word the lexicon lacks ("rupee"): after a number, most likely a noun."""
    return (
        k < len(s)
        and s.tokens[k].text.isalpha()
        and s.tokens[k].text.islower()
        and not (s.lexicon.classes(s.word(k)))
    )


def plural_after_number(s: Sentence) -> list[Edit]:
    edits = []
    for i, w in enumerate(s.words):
        counted = w in NUMBER_WORDS or (w.isdigit() and int(w) > 1 and not _NOT_A_COUNT.match(w))
        if not counted or s.word(i - 1) == "the" and w == "many":
            continue
        k = i + 1
        if s.word(k) == "of" or s.word(k) in NUMBER_WORDS:
            continue
        if s.lexicon.is_adjective_only(s.word(k)):
            k += 1
        if not (_singular_noun(s, k) or _unknown_word(s, k)) or s.word(k) in _NOT_COUNTED:
            continue
        plural = s.lexicon.plural(s.word(k))
        if plural and plural != s.word(k):
            message = f'After "{s.tokens[i].text}" the noun is plural: "{plural}".'
            edits.append(Edit(k, k + 1, plural, CorrectionKind.NOUN_NUMBER, message))
    return edits


def uncountable_plurals(s: Sentence) -> list[Edit]:
    """ "informations", "advices": nouns with no plural; "many" before them becomes "a lot
    of", "a" goes, and the "be" after them agrees."""
    edits = []
    for k, w in enumerate(s.words):
        singular = _UNCOUNTABLE_PLURALS.get(w)
        if w == "hairs" and s.lexicon.is_adjective_only(s.word(k - 1)):
            singular = "hair"
        if singular is None:
            continue
        message = f'"{singular}" has no plural.'
        first = k
        while first > 0 and s.lexicon.is_adjective_only(s.word(first - 1)):
            first -= 1
        if s.word(first - 1) == "many":
            middle = s.span_text(first, k) + " " if first < k else ""
            edits.append(
                Edit(
                    first - 1,
                    k + 1,
                    f"a lot of {middle}{singular}",
                    CorrectionKind.NOUN_NUMBER,
                    message,
                )
            )
        else:
            edits.append(Edit(k, k + 1, singular, CorrectionKind.NOUN_NUMBER, message))
        edits.extend(_singular_be_after(s, k))
    return edits


def _singular_be_after(s: Sentence, k: int) -> list[Edit]:
    for j in range(k + 1, min(k + 6, len(s))):
        w = s.word(j)
        if w in ("are", "were"):
            right = "is" if w == "are" else "was"
            message = f'An uncountable noun takes "{right}".'
            return [Edit(j, j + 1, right, CorrectionKind.AGREEMENT, message)]
        if s.lexicon.verb_tag(w) and w not in ("of",) and not s.lexicon.is_noun(w):
            break
    return []


def article_before_uncountable(s: Sentence) -> list[Edit]:
    """ "a good news", "there are many traffic"."""
    edits = []
    for i, w in enumerate(s.words):
        if w in ("a", "an"):
            k = i + 1
            while s.lexicon.is_adjective_only(s.word(k)):
                k += 1
            if s.word(k) in ("news", "advice", "information", "furniture", "luggage", "homework"):
                message = f'"{s.word(k)}" is uncountable: it takes no "a".'
                words = s.span_text(i + 1, k + 1)
                edits.append(Edit(i, k + 1, words, CorrectionKind.ARTICLE, message))
        if w in ("are", "were") and s.word(i + 1) == "many" and s.word(i + 2) in UNCOUNTABLE:
            singular = "is" if w == "are" else "was"
            message = f'"{s.word(i + 2)}" is uncountable: "{singular} a lot of".'
            edits.append(
                Edit(
                    i,
                    i + 3,
                    f"{singular} a lot of {s.tokens[i + 2].text}",
                    CorrectionKind.NOUN_NUMBER,
                    message,
                )
            )
    return edits


def article_before_job(s: Sentence) -> list[Edit]:
    edits = []
    for k, w in enumerate(s.words):
        if w not in PROFESSIONS:
            continue
        first = k
        while first > k - 2 and first > 0:
            before = s.word(first - 1)
            if before in DETERMINERS or before in _BEFORE_A_JOB or not s.tokens[first - 1].is_word:
                break
            if not (s.lexicon.is_noun(before) or s.lexicon.is_adjective_only(before)):
                break
            first -= 1
        before = s.word(first - 1)
        asked = s.subject_at(1) if s.is_question and s.word(0) in ("is", "was") else None
        if asked and asked.first + 1 < k == asked.last - 1:  # "Is your father businessman?"
            first, before = k, s.word(0)
        elif before in DETERMINERS or s.word(first - 2) in DETERMINERS and first < k:
            continue
        after_as = before == "as" and s.word(first - 2) in ("such", "well")
        if before in _BEFORE_A_JOB and not after_as:
            article = indefinite_article(s.word(first))
            message = f'A job after "{before}" takes "{article}".'
            words = f"{article} {s.span_text(first, first + 1)}"
            edits.append(Edit(first, first + 1, words, CorrectionKind.ARTICLE, message))
    return edits


def article_before_singular(s: Sentence) -> list[Edit]:
    """ "there is cat", "he is honest man", "I have headache", "we had great time"."""
    edits = []
    for i, w in enumerate(s.words):
        k = i + 1
        if w == "there" and s.word(i + 1) in ("is", "was"):
            k = i + 2
        elif w in BE or w in BE_PAST:
            if not s.lexicon.is_adjective_only(s.word(k)) or s.word(k) in _DEGREE_WORDS:
                continue
        elif w in ("have", "has", "had", "having"):
            if not (s.word(k) in _AILMENTS or s.word(k) in _GOOD_TIME and s.word(k + 1) == "time"):
                continue
            edits.append(_insert_article(s, k, 'This takes "{article}".'))
            continue
        else:
            continue
        first = k
        while s.lexicon.is_adjective_only(s.word(k)) and s.word(k) not in _DEGREE_WORDS:
            k += 1
        ends = not s.tokens[k + 1].is_word if k + 1 < len(s) else True
        if (
            k < len(s)
            and _singular_noun(s, k)
            and "ADJ" not in s.lexicon.classes(s.word(k))
            and s.word(first) not in DETERMINERS
            and (ends or s.word(k + 1) in PREPOSITIONS)
        ):
            edits.append(_insert_article(s, first, 'A singular noun here takes "{article}".'))
    return edits


def _insert_article(s: Sentence, k: int, message: str) -> Edit:
    article = indefinite_article(s.word(k))
    words = f"{article} {s.tokens[k].text}"
    return Edit(k, k + 1, words, CorrectionKind.ARTICLE, message.format(article=article))


def _syllables(word: str) -> int:
    return len(re.findall(r"[aeiouy]+", word.rstrip("e"))) or 1


def _short_adjective(s: Sentence, w: str) -> bool:
    return "ADJ" in s.lexicon.classes(w) and (
        _syllables(w) == 1 or (_syllables(w) == 2 and w.endswith("y"))
    )


def comparison(s: Sentence) -> list[Edit]:
    """ "more bigger", "more big", "the most tall", "gooder"."""
    edits = []
    for i, w in enumerate(s.words):
        if w in _IRREGULAR_COMPARISON:
            right = _IRREGULAR_COMPARISON[w]
            message = f'The comparative of this adjective is irregular: "{right}".'
            edits.append(Edit(i, i + 1, right, CorrectionKind.COMPARISON, message))
            continue
        if w not in ("more", "most"):
            continue
        after = s.word(i + 1)
        tag = "JJR" if w == "more" else "JJS"
        lemmas = s.lexicon.lemmas(after, "ADJ")
        if lemmas and after not in lemmas:  # "more bigger", "most best"
            message = f'"{after}" already compares: it needs no "{w}".'
            edits.append(Edit(i, i + 2, s.tokens[i + 1].text, CorrectionKind.COMPARISON, message))
        elif _short_adjective(s, after):
            form = s.lexicon.form(after, tag)
            if form and form != after:
                message = f'A short adjective compares with -er and -est: "{form}".'
                edits.append(Edit(i, i + 2, form, CorrectionKind.COMPARISON, message))
    return edits


RULES = [
    plural_after_number,
    uncountable_plurals,
    article_before_uncountable,
    article_before_job,
    article_before_singular,
    comparison,
]
