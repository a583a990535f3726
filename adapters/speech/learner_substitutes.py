"""Which phones a learner said as one of their usual substitutes ("sink" for "think"), judged
by a second acoustic model: hama's phoneme recognizer, a small CTC network over IPA phones
whose weights ship in its wheel and run on its own CPU engine (no download, no onnxruntime).

The offline scorer (adapters.speech.pocketsphinx_scorer) aligns the reference with
PocketSphinx and asks this module about the phones said. For each phone open to substitutes
(consonants and the word's stressed vowel, `open_to_substitutes`), the recognizer's CTC
likelihood of the whole utterance's phones is computed with that one phone replaced by each
of its substitutes (adapters.speech.phones.SUBSTITUTES); a substitute that makes the audio
more likely than the reference phone by more than its pair's threshold is what was said. The
CTC likelihood sums over every alignment, so no phone boundary has to be right. The
recognizer tells these pairs apart far better than PocketSphinx's models: on the L2 error
set's tuning part, th as s ends up more likely than th in 8 of 9 clips that say s, and in 2
of 21 that say th. The same likelihoods with one more phone at each boundary between words
tell the scorer whether a pause holds speech the reference does not have (an inserted
word) or only the edges of the words around it; and without a word's phones (or with those
of a word the aligner skipped), whether the word is there at all.
"""

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from hama import ASRModel

from adapters.speech import ctc
from adapters.speech.espeak_phonemes import stressed_vowel
from adapters.speech.phones import SUBSTITUTES, VOWELS

# ARPAbet phone -> the recognizer's IPA tokens for it; a phone's probability is the sum of its
# tokens' (the recognizer writes g and ɡ, and the weak forms of AH and ER).
_IPA: dict[str, tuple[str, ...]] = {
    "AA": ("ɑ",), "AE": ("æ",), "AH": ("ʌ", "ə", "ɐ"), "AO": ("ɔ",), "AW": ("aʊ",),
    "AY": ("aɪ",), "B": ("b",), "CH": ("t͡ʃ",), "D": ("d",), "DH": ("ð",), "EH": ("ɛ",),
    "ER": ("ɝ", "ɚ", "ɜ"), "EY": ("eɪ",), "F": ("f",), "G": ("g", "ɡ"), "HH": ("h",),
    "IH": ("ɪ",), "IY": ("i",), "JH": ("d͡ʒ",), "K": ("k",), "L": ("l", "ɫ"), "M": ("m",),
    "N": ("n",), "NG": ("ŋ",), "OW": ("oʊ", "o"), "OY": ("ɔɪ",), "P": ("p",), "R": ("ɹ",),
    "S": ("s",), "SH": ("ʃ",), "T": ("t",), "TH": ("θ",), "UH": ("ʊ",), "UW": ("u",),
    "V": ("v",), "W": ("w",), "Y": ("j",), "Z": ("z",), "ZH": ("ʒ",),
}  # fmt: skip
_BLANKS = ("<blank>", "<wb>")  # the word boundary token is as free as a blank

# How much more likely (nats) the utterance must be with the substitute than with the
# reference phone for the substitute to be what was said, per (reference, substitute).
# Calibrated on the correctly said clips of the L2 error set's tuning part
# (evaluation/l2_errors.json) alone: the lowest threshold, not below 0, above which at most
# two of the pair's correctly said phones there fall. The substituted clips play no part.
_THRESHOLDS: dict[tuple[str, str], float] = {
    ("AA", "AE"): 0.0, ("AA", "AH"): 0.3, ("AE", "AA"): 5.2, ("AE", "AH"): 0.0,
    ("AE", "EH"): 2.6, ("AH", "AA"): 2.4, ("AH", "AE"): 1.0, ("B", "P"): 0.0, ("B", "V"): 0.0,
    ("DH", "D"): 0.0, ("DH", "Z"): 0.0, ("EH", "AE"): 0.0, ("F", "P"): 0.0, ("IH", "IY"): 2.8,
    ("IY", "IH"): 0.0, ("JH", "Y"): 0.0, ("JH", "Z"): 0.0, ("L", "R"): 0.0, ("P", "B"): 1.0,
    ("P", "F"): 0.0, ("R", "L"): 2.1, ("S", "SH"): 0.0, ("S", "Z"): 1.1, ("SH", "S"): 0.0,
    ("TH", "F"): 0.1, ("TH", "S"): 0.0, ("TH", "T"): 0.0, ("UH", "UW"): 0.0, ("UW", "UH"): 0.0,
    ("V", "B"): 1.2, ("V", "F"): 6.5, ("V", "W"): 0.0, ("W", "V"): 0.0, ("Z", "S"): 4.8,
}  # fmt: skip
# A pair the tuning part never offers takes the strictest of the calibrated thresholds.
_UNCALIBRATED = max(_THRESHOLDS.values())
# Nats of margin per unit of log-odds in a phone's accuracy: chosen on the tuning part among
# 1 and 2 for pair discrimination (a sharper step turns small shifts near a threshold into
# large ones in the score).
_SCALE = 2.0
_MAX_EXPONENT = 50.0  # exp() stays finite


@dataclass(frozen=True)
class Judged:
    heard: str | None  # the substitute said in the reference phone's place, if one was
    # 0-100: the odds of each substitute against the phone, its margin over the threshold
    # tempered by _SCALE, give the phone's probability of being itself; 50 at a threshold.
    accuracy: float


@dataclass(frozen=True)
class SaidPhone:
    phone: str  # ARPAbet
    open: bool  # offered its substitutes


@dataclass(frozen=True)
class Contrast:
    reference: str
    substitute: str
    nats: float  # log-likelihood of the utterance with the substitute minus with the reference

    @property
    def margin(self) -> float:
        return self.nats - _THRESHOLDS.get((self.reference, self.substitute), _UNCALIBRATED)


def judged(contrasts: Sequence[Contrast]) -> Judged:
    """One phone's judgement from its contrasts with each of its substitutes."""
    best = max(contrasts, key=lambda c: c.margin)
    odds = sum(math.exp(min(c.margin / _SCALE, _MAX_EXPONENT)) for c in contrasts)
    return Judged(best.substitute if best.margin > 0 else None, 100.0 / (1.0 + odds))


def open_to_substitutes(word: str, phones: Sequence[str]) -> list[bool]:
    """Per phone of a pronunciation of `word`: is it checked against its learner substitutes?
    Consonants are; a vowel only as the word's stressed vowel, since the vowels learners mix
    up (sheep/ship, hat/hut/hot) are stressed ones, and reduced vowels, like every vowel of an
    unstressed function word ("the", "for"), are heard as anything near the schwa. The article
    "a", which eSpeak NG reads alone as its letter name, is unstressed too."""
    stress = None if word == "a" else stressed_vowel(word)
    vowels = [i for i, p in enumerate(phones) if p in VOWELS]
    stressed = vowels[stress[0]] if stress and stress[1] == len(vowels) else None
    return [p not in VOWELS or i == stressed for i, p in enumerate(phones)]


@dataclass(frozen=True)
class HeardStretch:
    """What the recognizer made of a stretch of speech, given the phones said in it."""

    judged: dict[tuple[int, int], Judged]  # (word, phone) -> a phone with substitutes checked
    # Per boundary between words (before the first, ..., after the last): how much more
    # likely (nats) the audio is with one more phone there, the likeliest one.
    extra_phone_nats: list[float]
    # Per word: how much more likely the audio is with its phones left out (for a word the
    # aligner skipped: than with its reference phones put in its place); None where no other
    # word has phones said, or for a skipped word not asked about.
    left_out_nats: list[float | None]


class PhoneJudge:
    """One recognizer; used by one thread at a time."""

    def __init__(self) -> None:
        model = ASRModel()
        self._session = model.session
        token = {t: i for i, t in enumerate(model.decoder_tokens)}
        self._blanks = [token[t] for t in _BLANKS]
        self._phones = sorted(_IPA)
        self._columns = [[token[t] for t in _IPA[p]] for p in self._phones]
        self._index = {p: i + 1 for i, p in enumerate(self._phones)}  # 0 is the blank

    def hear(
        self,
        pcm: bytes,
        said: Sequence[Sequence[SaidPhone]],
        skipped: Mapping[int, Sequence[str]] | None = None,
    ) -> HeardStretch:
        """The phones of the words said (16-bit 16 kHz PCM) against their substitutes, each
        boundary between the words against one more phone, each word against the audio
        without it, and each word `skipped` (index -> reference phones; none said) with it."""
        flat = [(w, p, s) for w, phones in enumerate(said) for p, s in enumerate(phones)]
        if not flat:
            return HeardStretch({}, [], [None] * len(said))
        labels = np.array([self._index[s.phone] for _, _, s in flat])
        log_posteriors = self._log_posteriors(pcm)
        alpha, beta = ctc.forward_backward(log_posteriors, labels)
        total = ctc.likelihood(alpha)
        if not math.isfinite(total):  # fewer frames than phones: nothing to compare
            return HeardStretch({}, [], [None] * len(said))
        checked = [
            (k, w, p, s.phone, substitute)
            for k, (w, p, s) in enumerate(flat)
            for substitute in (SUBSTITUTES.get(s.phone, ()) if s.open else ())
        ]
        places = np.array([k for k, *_ in checked], dtype=int)
        substitutes = np.array([self._index[phone] for *_, phone in checked], dtype=int)
        changed = ctc.one_phone_changed(log_posteriors, labels, alpha, beta, places, substitutes)
        changed -= total
        per_phone: dict[tuple[int, int], list[Contrast]] = {}
        for (_, w, p, phone, substitute), nats in zip(checked, changed, strict=True):
            per_phone.setdefault((w, p), []).append(Contrast(phone, substitute, float(nats)))
        # Every phone at every boundary between words: the likeliest one more.
        boundaries = np.cumsum([0, *(len(word) for word in said)])
        everyone = np.arange(1, log_posteriors.shape[1])
        extra = ctc.one_phone_changed(
            log_posteriors,
            labels,
            alpha,
            beta,
            np.repeat(boundaries, len(everyone)),
            np.tile(everyone, len(boundaries)),
            inserted=True,
        )
        extra = extra.reshape(len(boundaries), len(everyone)).max(axis=1) - total
        spans = [
            (w, first, end)
            for w, (first, end) in enumerate(itertools.pairwise(boundaries))
            if 0 < end - first < len(labels)
        ]
        left_out: list[float | None] = [None] * len(said)
        if spans:
            words, firsts, ends = (np.array(column) for column in zip(*spans, strict=True))
            without = ctc.span_left_out(labels, alpha, beta, firsts, ends) - total
            for w, nats in zip(words, without, strict=True):
                left_out[w] = float(nats)
        for w, phones in (skipped or {}).items():
            place = boundaries[w]
            inserted = np.array([self._index[p] for p in phones])
            longer = np.concatenate((labels[:place], inserted, labels[place:]))
            left_out[w] = total - ctc.likelihood(ctc.forward_backward(log_posteriors, longer)[0])
        return HeardStretch(
            {key: judged(contrasts) for key, contrasts in per_phone.items()},
            [float(nats) for nats in extra],
            left_out,
        )

    def _log_posteriors(self, pcm: bytes) -> np.ndarray:
        """Per output frame (20 ms): log-probabilities of the blank and of each ARPAbet phone."""
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        log_probs, lengths = self._session.run(
            ["log_probs", "out_lengths"],
            {"waveform": samples[None, :], "waveform_lengths": np.array([len(samples)])},
        )
        frames = np.asarray(log_probs[0][: int(np.asarray(lengths).reshape(-1)[0])], np.float64)
        frames -= np.logaddexp.reduce(frames, axis=1, keepdims=True)
        columns = [self._blanks, *self._columns]
        return np.stack([np.logaddexp.reduce(frames[:, c], axis=1) for c in columns], axis=1)
