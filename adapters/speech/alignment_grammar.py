"""The alignment grammar of the offline scorer (adapters.speech.pocketsphinx_scorer, step 1):
a finite-state grammar over phones for a reference text, with optional silence between words,
penalized arcs that skip words, and, for a scorer that names wrong phones, penalized arcs that
leave a phone out. PocketSphinx decodes against it; the penalties are the scorer's
calibration."""

from collections.abc import Collection, Sequence

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
# Grammar probability of a phone left out: strict, since a short phone fits almost anywhere.
_LEFT_OUT_PROBABILITY = 1e-20


def phone_word(phone: str, slot: int) -> str:
    """The grammar's word for `phone` said in a word of `slot`."""
    return f"{phone.lower()}_{slot}"


def phone_and_slot(word: str) -> tuple[str, int]:
    """The phone (lower case) and slot of a phone-word that `phone_word` named."""
    phone, slot = word.rsplit("_", 1)
    return phone, int(slot)


def grammar(
    words: Sequence[Sequence[Sequence[str]]], left_out: bool, kept: Collection[int] = ()
) -> tuple[int, list[tuple]]:
    """Final state and transitions (from, to, probability[, word]) of the alignment grammar for
    words given as their pronunciation variants. State i <= len(words) is the boundary before
    word i (the last one is the end); chains of phone states follow. With `left_out`, beside
    each phone after a word's first runs a penalized empty arc that leaves the phone out. The
    words of `kept` (indices) cannot be skipped."""
    n = len(words)

    def may_skip(first: int, end: int) -> bool:
        return not any(first <= k < end for k in kept)

    transitions: list[tuple] = [(i, i, _SILENCE_PROBABILITY, SILENCE) for i in range(n + 1)]
    next_state = n + 1
    for k, variants in enumerate(words):
        for phones in variants:
            chain = [*range(next_state, next_state + len(phones) - 1), k + 1]
            next_state += len(phones) - 1
            for boundary in range(max(0, k - _MAX_SKIP), k + 1):
                if not may_skip(boundary, k):
                    continue
                skipped = _SKIP_PROBABILITY ** (k - boundary)
                word = phone_word(phones[0], k % SLOTS)
                transitions.append((boundary, chain[0], skipped, word))
            for src, dst, phone in zip(chain, chain[1:], phones[1:], strict=False):
                transitions.append((src, dst, 1.0, phone_word(phone, k % SLOTS)))
                if left_out:
                    transitions.append((src, dst, _LEFT_OUT_PROBABILITY))
    for boundary in range(max(0, n - _MAX_SKIP), n):
        if may_skip(boundary, n):
            transitions.append((boundary, n, _SKIP_PROBABILITY ** (n - boundary), SILENCE))
    return n, transitions
