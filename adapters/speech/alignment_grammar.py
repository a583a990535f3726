"""The alignment grammar of the offline scorer (adapters.speech.pocketsphinx_scorer, step 1):
a finite-state grammar over phones for a reference text, with optional silence between words,
penalized arcs that skip words, and, for a scorer that names wrong phones, penalized arcs for
what learners say instead of a phone and for a phone left out. PocketSphinx decodes against
it; the penalties are the scorer's calibration."""

from collections.abc import Sequence

from adapters.speech.espeak_phonemes import stressed_vowel
from adapters.speech.phones import SUBSTITUTES, VOWELS, PhoneClass, phone_class

SILENCE = "<sil>"

# A phone-word is named after its phone and its word's position modulo
# SLOTS: with at most _MAX_SKIP words skipped at once, the next word's slot always differs
# from the current one, so the decoded phone sequence tells which reference word each phone
# belongs to. PocketSphinx raises the probabilities to its language weight; they were tuned on
# synthesized speech (tests/quality) so that correctly spoken words are not skipped while a
# word missing from the audio mostly is.
_MAX_SKIP = 2
SLOTS = _MAX_SKIP + 2
_SKIP_PROBABILITY = 1e-40
_SILENCE_PROBABILITY = 0.1
# Grammar probability of a phone said as one of its learner substitutes, per (reference,
# substitute): how much better (in nats) the substitute must fit the audio to be chosen. The
# models tell some pairs apart far better than others (iy/ih at almost any penalty, th/s
# hardly at all), so each pair is calibrated on its own, on the tuning part of
# evaluation/l2_errors.json: of the penalties (1e-2 to 1e-30) that flag at most one
# correctly said word there, the strictest of those that flag the most substituted words.
# Pairs that flag none that way (z as s, which the synthesized voices devoice themselves), or
# that the set has no errors of, take the strictest.
_SUBSTITUTED: dict[tuple[str, str], float] = {
    ("AE", "AA"): 1e-8,
    ("AE", "AH"): 1e-6,
    ("IH", "IY"): 1e-13,
    ("IY", "IH"): 1e-2,
    ("L", "R"): 1e-8,
    ("P", "F"): 1e-4,
    ("R", "L"): 1e-8,
    ("TH", "F"): 1e-2,
    ("TH", "S"): 1e-20,
    ("TH", "T"): 1e-8,
    ("UW", "UH"): 1e-8,
    ("V", "B"): 1e-16,
    ("V", "W"): 1e-20,
}
_UNCALIBRATED = 1e-30
# Grammar probability of a phone left out, by the class of the reference phone.
_LEFT_OUT = dict.fromkeys(PhoneClass, 1e-20)


def phone_word(phone: str, slot: int) -> str:
    """The grammar's word for `phone` said in a word of `slot`."""
    return f"{phone.lower()}_{slot}"


def phone_and_slot(word: str) -> tuple[str, int]:
    """The phone (lower case) and slot of a phone-word that `phone_word` named."""
    phone, slot = word.rsplit("_", 1)
    return phone, int(slot)


def grammar(
    words: Sequence[Sequence[Sequence[str]]],
    open_phones: Sequence[Sequence[Sequence[bool]]] | None,
) -> tuple[int, list[tuple]]:
    """Final state and transitions (from, to, probability[, word]) of the alignment grammar for
    words given as their pronunciation variants. State i <= len(words) is the boundary before
    word i (the last one is the end); chains of phone states follow. With `open_phones` (per
    word, variant and phone: does it take substitutes), beside each open phone run penalized
    arcs for what learners say instead (SUBSTITUTES) and, after a word's first phone, an empty
    arc that leaves the phone out."""
    n = len(words)
    transitions: list[tuple] = [(i, i, _SILENCE_PROBABILITY, SILENCE) for i in range(n + 1)]
    next_state = n + 1
    for k, variants in enumerate(words):
        for v, phones in enumerate(variants):
            opened = open_phones[k][v] if open_phones else [False] * len(phones)
            chain = [*range(next_state, next_state + len(phones) - 1), k + 1]
            next_state += len(phones) - 1
            for boundary in range(max(0, k - _MAX_SKIP), k + 1):
                skipped = _SKIP_PROBABILITY ** (k - boundary)
                for phone, probability in _said_as(phones[0], opened[0]):
                    word = phone_word(phone, k % SLOTS)
                    transitions.append((boundary, chain[0], skipped * probability, word))
            for src, dst, reference, is_open in zip(
                chain, chain[1:], phones[1:], opened[1:], strict=False
            ):
                for phone, probability in _said_as(reference, is_open):
                    transitions.append((src, dst, probability, phone_word(phone, k % SLOTS)))
                if open_phones:
                    transitions.append((src, dst, _LEFT_OUT[phone_class(reference)]))
    for boundary in range(max(0, n - _MAX_SKIP), n):
        transitions.append((boundary, n, _SKIP_PROBABILITY ** (n - boundary), SILENCE))
    return n, transitions


def open_to_substitutes(word: str, phones: list[str]) -> list[bool]:
    """Per phone of a pronunciation of `word`: is the aligner offered its learner substitutes?
    Consonants are; a vowel only as the word's stressed vowel, since the vowels learners mix
    up (sheep/ship, hat/hut/hot) are stressed ones, and the models hear reduced vowels, and
    every vowel of an unstressed function word ("the", "for"), as anything near the schwa.
    The article "a", which eSpeak NG reads alone as its letter name, is unstressed too."""
    stress = None if word == "a" else stressed_vowel(word)
    vowels = [i for i, p in enumerate(phones) if p in VOWELS]
    stressed = vowels[stress[0]] if stress and stress[1] == len(vowels) else None
    return [p not in VOWELS or i == stressed for i, p in enumerate(phones)]


def _said_as(phone: str, substitutes: bool) -> list[tuple[str, float]]:
    """The phone and (with `substitutes`) its learner substitutes, with their grammar
    probabilities."""
    if not substitutes:
        return [(phone, 1.0)]
    return [
        (phone, 1.0),
        *((s, _SUBSTITUTED.get((phone, s), _UNCALIBRATED)) for s in SUBSTITUTES.get(phone, ())),
    ]
