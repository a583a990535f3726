"""A learner's sentence as the error rules read it: tokens with their offsets, the word
classes the rules need, and the subject a verb must agree with."""

import re
from dataclasses import dataclass

from ports.grammar import CorrectionKind, Dialect
from ports.morphology import Morphology

_TOKEN = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*|\d+(?:[.,:]\d+)*|\S")

SUBJECT_PRONOUNS = {
    "i": "first",
    "you": "plural",
    "we": "plural",
    "they": "plural",
    "he": "third",
    "she": "third",
    "it": "third",
    "everybody": "third",
    "everyone": "third",
    "somebody": "third",
    "someone": "third",
    "nobody": "third",
}
"""A subject pronoun and the verb form it takes: "third" person singular takes -s."""
OBJECT_PRONOUNS = {"i": "me", "he": "him", "she": "her", "we": "us", "they": "them"}
DETERMINERS = frozenset(
    "the a an my your his her its our their this that these those every each no some any "
    "another".split()
)
SINGULAR_DETERMINERS = frozenset({"a", "an", "this", "that", "every", "each", "another"})
PLURAL_NOUNS = frozenset({"people", "police", "cattle"})
"""Plural nouns without -s that the lexicon gives as their own lemma."""
INVARIANT_NOUNS = frozenset({"sheep", "fish", "deer", "series", "species", "aircraft"})
"""Nouns whose singular and plural are one word: their number cannot be told."""
BE = {"am": "first", "is": "third", "are": "plural", "'m": "first", "'s": "third", "'re": "plural"}
BE_PAST = {"was": "third", "were": "plural"}
MODALS = frozenset(
    "can could should would will shall may might must can't cannot couldn't shouldn't "
    "wouldn't won't mustn't 'll".split()
)
DO_FORMS = {
    "do": "do",
    "does": "do",
    "did": "did",
    "don't": "do",
    "doesn't": "do",
    "didn't": "did",
}
HAVE_FORMS = frozenset({"have", "has", "had", "haven't", "hasn't", "hadn't", "'ve"})
FREQUENCY_ADVERBS = frozenset(
    "always usually often never sometimes rarely seldom normally generally also".split()
)
NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand million several many few both".split()
)
WH_WORDS = frozenset({"where", "why", "what", "when", "how", "which"})
PREPOSITIONS = frozenset(
    "in on at to for with from of by about near under over after before during into through "
    "without since until like than across behind between among around".split()
)
FUNCTION_WORDS = (
    frozenset(SUBJECT_PRONOUNS)
    | DETERMINERS
    | PREPOSITIONS
    | WH_WORDS
    | frozenset(BE)
    | frozenset(BE_PAST)
    | MODALS
    | frozenset(DO_FORMS)
    | HAVE_FORMS
    | frozenset("and but or so if because when who whom whose there here please not yes".split())
    | frozenset("me him us them mine yours ours theirs".split())
)
"""Words the lexicon does not list (it knows open classes only) that are never names."""
PROFESSIONS = frozenset(
    "teacher doctor engineer pilot nurse lawyer accountant architect student journalist "
    "developer officer farmer housewife electrician receptionist artist dentist shopkeeper "
    "lecturer businessman businesswoman soldier driver chef singer writer scientist "
    "mechanic plumber tailor carpenter banker manager waiter waitress actor actress "
    "programmer designer photographer musician painter surgeon pharmacist professor "
    "policeman policewoman secretary cashier clerk lecturer translator guide baker "
    "butcher firefighter footballer cricketer dancer poet novelist vet salesman".split()
)
_SILENT_H = ("honest", "hour", "honour", "honor", "heir")
_YOU_SOUND = ("uni", "use", "usu", "eu", "one", "once", "ewe", "uro")


def indefinite_article(word: str) -> str:
    w = word.lower()
    if w.startswith(_SILENT_H):
        return "an"
    if w.startswith(_YOU_SOUND):
        return "a"
    return "an" if w[:1] in "aeiou" else "a"


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower().replace("\u2019", "'")

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()


@dataclass(frozen=True)
class Edit:
    """Tokens [first, last) of a sentence become `words`."""

    first: int
    last: int
    words: str
    kind: CorrectionKind
    message: str


@dataclass(frozen=True)
class Subject:
    first: int
    last: int
    """Tokens [first, last) of the sentence."""
    person: str
    """"first", "third" (singular) or "plural", as in SUBJECT_PRONOUNS."""


class Lexicon:
    """The word classes and forms the rules ask for, over the Morphology port, with the
    learner's dialect deciding between spellings ("travelled" or "traveled")."""

    def __init__(self, morphology: Morphology, dialect: Dialect) -> None:
        self._morphology = morphology
        self._dialect = dialect

    def lemmas(self, word: str, pos: str) -> tuple[str, ...]:
        return self._morphology.lemmas(word.lower()).get(pos, ())

    def classes(self, word: str) -> set[str]:
        return set(self._morphology.lemmas(word.lower()))

    def form(self, lemma: str, tag: str) -> str | None:
        forms = self._morphology.inflections(lemma, tag)
        if not forms:
            return None
        if self._dialect == Dialect.BRITISH:
            doubled = [f for f in forms if "ll" in f and "ll" not in lemma]
            return doubled[0] if doubled else forms[0]
        return forms[0]

    def verb_lemma(self, word: str) -> str | None:
        lemmas = self.lemmas(word, "VERB")
        if not lemmas:
            return None
        # "found" is a lemma and the past of "find": the lemma that is not the word wins.
        others = [lemma for lemma in lemmas if lemma != word.lower()]
        return others[0] if others else lemmas[0]

    def is_base_verb(self, word: str) -> bool:
        return word.lower() in self.lemmas(word, "VERB")

    def verb_tag(self, word: str) -> str | None:
        """ "VB", "VBZ", "VBD", "VBN" or "VBG" for a verb form; the past when a form is both
        past and participle."""
        w = word.lower()
        lemma = self.verb_lemma(w)
        if lemma is None:
            return None
        if w == lemma:
            return "VB"
        for tag in ("VBZ", "VBG", "VBD", "VBN"):
            if w in self._morphology.inflections(lemma, tag):
                return tag
        return None

    def is_noun(self, word: str) -> bool:
        return bool(self.lemmas(word, "NOUN"))

    def is_plural_noun(self, word: str) -> bool:
        w = word.lower()
        if w in PLURAL_NOUNS:
            return True
        lemmas = self.lemmas(w, "NOUN")
        return bool(lemmas) and w not in lemmas

    def plural(self, noun: str) -> str | None:
        if noun.lower() == "person":
            return "people"
        return self.form(noun.lower(), "NNS")

    def is_adjective_only(self, word: str) -> bool:
        return self.classes(word) <= {"ADJ", "ADV"} and "ADJ" in self.classes(word)

    def is_name(self, token: Token) -> bool:
        """A capitalized word the lexicon does not know: a name, such as "Ali" or "Lahore"."""
        return (
            token.text[:1].isupper()
            and token.text.isalpha()
            and token.lower not in FUNCTION_WORDS
            and token.lower not in NUMBER_WORDS
            and not self.classes(token.text)
        )


class Sentence:
    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.text = text
        self.lexicon = lexicon
        self.tokens = [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        self.words = [t.lower for t in self.tokens]

    def __len__(self) -> int:
        return len(self.tokens)

    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?")

    def subject_at(self, i: int) -> Subject | None:
        """The subject that starts at token i: a pronoun, a name, or a determiner and its
        noun (with adjectives and noun modifiers before it)."""
        w = self.word(i)
        if w in SUBJECT_PRONOUNS:
            return Subject(i, i + 1, SUBJECT_PRONOUNS[w])
        if i < len(self) and self.lexicon.is_name(self.tokens[i]):
            return Subject(i, i + 1, "third")
        if w not in DETERMINERS:
            return None
        head = None
        j = i + 1
        lex = self.lexicon
        while j < len(self) and j <= i + 4 and self.tokens[j].is_word:
            classes = lex.classes(self.word(j))
            # "the television programme starts": a noun that might be a verb is the head
            # when a verb follows it.
            after_adjective = head is not None and "ADJ" in lex.classes(self.word(head))
            compound = "NOUN" in classes and (after_adjective or self._verb_follows(j))
            if head is not None and ("VERB" in classes and not compound or "NOUN" not in classes):
                break
            if "NOUN" in classes:
                head = j
            elif "ADJ" not in classes and "ADV" not in classes:
                break
            j += 1
        if head is None:
            return None
        plural = lex.is_plural_noun(self.word(head)) and w not in SINGULAR_DETERMINERS
        return Subject(i, head + 1, "plural" if plural or w in ("these", "those") else "third")

    def _verb_follows(self, j: int) -> bool:
        after = self.word(j + 1)
        finite = after in BE or after in BE_PAST or after in MODALS or after in HAVE_FORMS
        return finite or self.lexicon.verb_tag(after) in ("VBZ", "VBD")

    def span_text(self, first: int, last: int) -> str:
        return self.text[self.tokens[first].start : self.tokens[last - 1].end]
