"""Rules for the verb errors learners make most: the present after a past time word, the
third person -s, the form after a modal or "do", "I am agree", the progressive of a stative
verb, the present where "since" needs the perfect, and the wrong form of "be"."""

import re
from datetime import date

from domain.corrections.words import (
    BE,
    BE_PAST,
    DO_FORMS,
    FREQUENCY_ADVERBS,
    HAVE_FORMS,
    INVARIANT_NOUNS,
    MODALS,
    NUMBER_WORDS,
    PREPOSITIONS,
    PROFESSIONS,
    Edit,
    Sentence,
    Subject,
)
from ports.grammar import CorrectionKind

_TIME_NOUNS = frozenset(
    "night week month year summer winter spring autumn weekend term semester time monday "
    "tuesday wednesday thursday friday saturday sunday evening morning".split()
)
_FUTURE = frozenset({"will", "'ll", "tomorrow", "next", "going"})
STATIVE = frozenset(
    "know like love hate want need prefer believe understand own belong remember contain "
    "seem mean recognise recognize realise realize deserve consist suppose".split()
)
_DURATION_UNITS = frozenset(
    "second seconds minute minutes hour hours day days week weeks month months year years "
    "decade decades time ages".split()
)
_ADVERBS_IN_PERFECT = frozenset({"already", "never", "just", "ever", "not", "always", "also"})
_SINGULAR_S_NOUNS = frozenset({"news", "mathematics", "physics", "economics", "politics"})


def past_time_marker(s: Sentence) -> bool:
    """ "yesterday", "last week", "two days ago", "in 2015": the sentence tells of the past."""
    words = s.words
    if any(w in _FUTURE for w in words):
        return False
    for i, w in enumerate(words):
        if w in ("yesterday", "ago"):
            return True
        if w == "last" and s.word(i + 1) in _TIME_NOUNS and s.word(i - 1) not in ("the", "at"):
            return True
        if w in ("in", "on") and re.fullmatch(r"(1[89]|20)\d\d", s.word(i + 1)):
            return int(s.word(i + 1)) < date.today().year
    return False


def subjects(s: Sentence) -> list[Subject]:
    """Every subject the sentence has, each followed by what may be its verb. A pronoun after
    a verb ("let it go") is that verb's object, not a subject."""
    found = []
    i = 0
    while i < len(s):
        subject = s.subject_at(i)
        before = s.word(i - 1)
        unambiguous = s.word(i) in ("i", "he", "she", "we", "they")
        after_object_taker = bool(before) and (
            before in PREPOSITIONS
            or before in NUMBER_WORDS
            or before in BE
            or before in BE_PAST
            or before in HAVE_FORMS
            or before in DO_FORMS
            or before in MODALS
            or s.lexicon.verb_tag(before)
        )
        if subject and (unambiguous or not after_object_taker):
            found.append(subject)
            i = subject.last
        else:
            i += 1
    return found


def bare_subject(s: Sentence) -> Subject | None:
    """A noun with no determiner opening the sentence ("People is ..."), or None."""
    if not len(s) or not s.lexicon.is_noun(s.word(0)) or s.word(0) in BE:
        return None
    w = s.word(0)
    plural = s.lexicon.is_plural_noun(w) and w not in _SINGULAR_S_NOUNS
    return Subject(0, 1, "plural" if plural else "third")


def present(s: Sentence, lemma: str, person: str) -> str:
    if lemma == "be":
        return {"first": "am", "third": "is"}.get(person, "are")
    if person != "third":
        return lemma
    return s.lexicon.form(lemma, "VBZ") or lemma


def _verb_after(s: Sentence, subject: Subject) -> int:
    """The index of the token after the subject and any frequency adverbs."""
    k = subject.last
    while s.word(k) in FREQUENCY_ADVERBS:
        k += 1
    return k


def past_after_time_word(s: Sentence) -> list[Edit]:
    if not past_time_marker(s):
        return []
    edits = []
    for subject in subjects(s):
        k = _verb_after(s, subject)
        w = s.word(k)
        if w in ("don't", "doesn't"):
            past = "didn't"
        elif w in ("have", "has"):
            past = "had"
        elif w in ("am", "is"):
            past = "was"
        elif w == "are":
            past = "were"
        elif s.lexicon.verb_tag(w) in ("VB", "VBZ") and w not in MODALS:
            lemma = s.lexicon.verb_lemma(w) or w
            past = s.lexicon.form(lemma, "VBD") or w
        else:
            continue
        if past != w:
            msg = "The time word says this happened in the past: use the past tense."
            edits.append(Edit(k, k + 1, past, CorrectionKind.TENSE, msg))
    return edits


def third_person_s(s: Sentence) -> list[Edit]:
    if past_time_marker(s) or "since" in s.words:
        return []
    edits = []
    for subject in subjects(s):
        if subject.person != "third" or s.word(subject.last - 1) in INVARIANT_NOUNS:
            continue
        if s.word(subject.first - 1) in DO_FORMS or s.word(subject.first - 1) in MODALS:
            continue  # "does he live": the auxiliary carries the -s
        k = _verb_after(s, subject)
        w = s.word(k)
        if w == "don't":
            right = "doesn't"
        elif w == "have":
            right = "has"
        elif w == "do":
            right = "does"
        elif (
            s.lexicon.verb_tag(w) == "VB"
            and s.lexicon.form(w, "VBD") != w  # "the rumour spread" may be the past
            and w not in MODALS
            and w not in DO_FORMS
            and s.word(k - 1) not in ("to",)
            and w != "be"
        ):
            right = s.lexicon.form(w, "VBZ") or w
        else:
            continue
        if right != w:
            msg = "After he, she, it or one person or thing, the present tense verb takes -s."
            edits.append(Edit(k, k + 1, right, CorrectionKind.AGREEMENT, msg))
    return edits


def _to_base(s: Sentence, k: int, message: str) -> Edit | None:
    tag = s.lexicon.verb_tag(s.word(k))
    if tag in (None, "VB"):
        return None
    lemma = s.lexicon.verb_lemma(s.word(k))
    return Edit(k, k + 1, lemma, CorrectionKind.VERB_FORM, message) if lemma else None


def _after_auxiliary(s: Sentence, i: int) -> int:
    """The index of the main verb after an auxiliary at i: past a "not", and past the
    subject when the auxiliary opens a question ("Did you ...")."""
    k = i + 1
    if s.word(k) == "not":
        k += 1
    subject = s.subject_at(k)
    if subject:
        k = subject.last
    while s.word(k) in _ADVERBS_IN_PERFECT or s.word(k) in FREQUENCY_ADVERBS:
        k += 1
    return k


def base_after_do(s: Sentence) -> list[Edit]:
    edits = []
    for i, w in enumerate(s.words):
        if w not in DO_FORMS:
            continue
        k = _after_auxiliary(s, i)
        edit = _to_base(s, k, f'After "{s.tokens[i].text}" the verb takes its base form.')
        if edit and s.word(k) not in BE and s.word(k) not in BE_PAST:
            edits.append(edit)
    return edits


def base_after_modal(s: Sentence) -> list[Edit]:
    edits = []
    for i, w in enumerate(s.words):
        if w not in MODALS:
            continue
        k = _after_auxiliary(s, i)
        message = f'After "{s.tokens[i].text}" comes the base form of the verb, without "to".'
        if s.word(k) == "to" and s.lexicon.verb_tag(s.word(k + 1)):
            verb = s.lexicon.verb_lemma(s.word(k + 1)) or s.word(k + 1)
            edits.append(Edit(k, k + 2, verb, CorrectionKind.VERB_FORM, message))
            continue
        edit = _to_base(s, k, message)
        if edit:
            edits.append(edit)
    return edits


def participle_after_have(s: Sentence) -> list[Edit]:
    edits = []
    for i, w in enumerate(s.words):
        if w not in HAVE_FORMS:
            continue
        k = _after_auxiliary(s, i)
        if s.lexicon.verb_tag(s.word(k)) != "VBD":
            continue
        lemma = s.lexicon.verb_lemma(s.word(k)) or ""
        participle = s.lexicon.form(lemma, "VBN")
        if participle and participle != s.word(k):
            message = f'The perfect takes the past participle: "{participle}".'
            edits.append(Edit(k, k + 1, participle, CorrectionKind.VERB_FORM, message))
    return edits


def _simple_present(s: Sentence, lemma: str, person: str, negative: bool) -> str:
    if negative:
        return ("doesn't " if person == "third" else "don't ") + lemma
    return present(s, lemma, person)


def be_with_verb(s: Sentence) -> list[Edit]:
    """ "I am agree", "she is liking it": "be" before a verb that needs the simple present."""
    edits = []
    for subject in subjects(s):
        i = subject.last
        if s.word(i) not in BE:
            continue
        negative = s.word(i + 1) == "not"
        k = i + 2 if negative else i + 1
        w = s.word(k)
        person = subject.person
        tag = s.lexicon.verb_tag(w)
        classes = s.lexicon.classes(w)
        if tag == "VBG" and _stative_use(s, k):
            lemma = s.lexicon.verb_lemma(w) or w
            message = f'"{lemma}" is a state, not an action: use the simple present.'
            kind = CorrectionKind.TENSE
        elif (
            tag == "VB"
            and w not in ("like", "be", "open")
            and ("ADJ" not in classes or w == "live")
            and not ("NOUN" in classes and not s.word(k + 1).isalpha())
            and not s.lexicon.is_plural_noun(w)
            and w not in PROFESSIONS
        ):
            lemma = w
            message = f'"{lemma}" is a verb: it needs no "{s.tokens[i].text}".'
            kind = CorrectionKind.VERB_FORM
        else:
            continue
        replacement = _simple_present(s, lemma, person, negative)
        edits.append(Edit(i, k + 1, replacement, kind, message))
    return edits


def _stative_use(s: Sentence, k: int) -> bool:
    """ "having two cars" is a state, "having dinner" an action; "tasting too salty" a
    state, "tasting the soup" an action."""
    lemma = s.lexicon.verb_lemma(s.word(k))
    after = s.word(k + 1)
    if lemma not in STATIVE and lemma not in ("have", "taste"):
        return False
    if lemma == "have":
        return after in NUMBER_WORDS or after.isdigit() or after in ("no", "a")
    if lemma == "taste":
        return after in ("too", "very", "so", "really") or s.lexicon.is_adjective_only(after)
    return True


def stative_question(s: Sentence) -> list[Edit]:
    """ "Are you understanding me?" -> "Do you understand me?"."""
    if not s.is_question or s.word(0) not in ("are", "is", "am"):
        return []
    subject = s.subject_at(1)
    if subject is None:
        return []
    k = subject.last
    lemma = s.lexicon.verb_lemma(s.word(k))
    if s.lexicon.verb_tag(s.word(k)) != "VBG" or lemma not in STATIVE:
        return []
    do = "Does" if subject.person == "third" else "Do"
    words = f"{do} {s.span_text(1, k)} {lemma}"
    message = f'"{lemma}" is a state, not an action: ask with "{do.lower()}".'
    return [Edit(0, k + 1, words, CorrectionKind.TENSE, message)]


def since_needs_perfect(s: Sentence) -> list[Edit]:
    """ "since five years" -> "for five years"; and a present tense before "since" or that
    "for" becomes the present perfect ("I live here since 2010" -> "I have lived here")."""
    if "since" not in s.words:
        return []
    edits = []
    since = s.words.index("since")
    start = since + 1
    if s.word(start) == "a" and s.word(start + 1) in ("few", "long"):
        start += 1
    counted = s.word(start) in NUMBER_WORDS or s.word(start) in ("a", "an", "few", "long")
    if (counted or s.word(start).isdigit()) and any(
        s.word(j) in _DURATION_UNITS for j in range(start, start + 3)
    ):
        message = '"since" needs a point in time; a length of time takes "for".'
        edits.append(Edit(since, since + 1, "for", CorrectionKind.PREPOSITION, message))
    for subject in subjects(s):
        k = subject.last
        if k >= since:
            break
        have = "has" if subject.person == "third" else "have"
        w = s.word(k)
        message = 'With "since" or "for", a state that goes on until now takes the present perfect.'
        if w in BE:
            after = s.word(k + 1)
            if s.lexicon.verb_tag(after) == "VBG":
                edits.append(Edit(k, k + 1, f"{have} been", CorrectionKind.TENSE, message))
            elif s.lexicon.classes(after) & {"ADJ"} or after in ("at", "in", "here", "there"):
                edits.append(Edit(k, k + 1, f"{have} been", CorrectionKind.TENSE, message))
        elif s.lexicon.verb_tag(w) in ("VB", "VBZ") and w not in HAVE_FORMS and w not in MODALS:
            lemma = s.lexicon.verb_lemma(w) or w
            participle = s.lexicon.form(lemma, "VBN")
            if participle:
                edits.append(Edit(k, k + 1, f"{have} {participle}", CorrectionKind.TENSE, message))
        break
    return edits


def be_agreement(s: Sentence) -> list[Edit]:
    """The form of "be" its subject takes: "people are", "I am", "we were", "there are
    many shops"."""
    edits = []
    found = subjects(s)
    bare = bare_subject(s)
    if bare and not any(f.first == 0 for f in found):
        found.insert(0, bare)
    for subject in found:
        i = subject.last
        w = s.word(i)
        if s.word(i - 1) in INVARIANT_NOUNS:
            continue
        if w in BE and w[0] != "'":
            right = present(s, "be", subject.person)
        elif w in BE_PAST:
            right = "were" if subject.person == "plural" else "was"
        else:
            continue
        if right != w:
            message = f'The subject "{s.span_text(subject.first, subject.last)}" takes "{right}".'
            edits.append(Edit(i, i + 1, right, CorrectionKind.AGREEMENT, message))
    for i, w in enumerate(s.words):
        if w == "there" and s.word(i + 1) in ("is", "was"):
            after = s.word(i + 2)
            noun = s.word(i + 3)
            if (after in NUMBER_WORDS or after.isdigit()) and s.lexicon.is_plural_noun(noun):
                right = "are" if s.word(i + 1) == "is" else "were"
                message = f'A plural after "there" takes "{right}".'
                edits.append(Edit(i + 1, i + 2, right, CorrectionKind.AGREEMENT, message))
    return edits


RULES = [
    past_after_time_word,
    third_person_s,
    base_after_do,
    base_after_modal,
    participle_after_have,
    be_with_verb,
    stative_question,
    since_needs_perfect,
    be_agreement,
]
