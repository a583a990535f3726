"""What PocketSphinx finds in a recording for the offline scorer
(adapters.speech.pocketsphinx_scorer, whose docstring gives the method): the reference aligned
as a grammar of phones, the free phone loop, and, for the scorer that checks learner
substitutes, what the second recognizer hears of the phones aligned. A set of decoders is
heavy and not thread-safe: one thread uses it at a time."""

import contextlib
import math
from collections.abc import Collection
from dataclasses import dataclass

from pocketsphinx import Decoder

from adapters.speech.alignment import Followed, Pause, Segment
from adapters.speech.alignment_grammar import SILENCE, SLOTS, grammar, phone_and_slot, phone_word
from adapters.speech.espeak_phonemes import BRITISH_VOICE, espeak_pronunciation
from adapters.speech.learner_substitutes import PhoneJudge
from adapters.speech.second_recognizer import Heard, hear
from domain.errors import InvalidInput, Unprocessable

BRITISH = "en-GB"  # each word may also be said as eSpeak NG's British English reads it

# The 39 ARPAbet phones of the CMU dictionary and of the en-us acoustic model.
PHONES = frozenset(
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH "
    "UW V W Y Z ZH".split()
)
_MAX_PRONUNCIATIONS = 3  # dictionary variants offered to the aligner for each word
_GRAMMAR_WEIGHT = 1.0  # grammar probabilities count as they are, in nats
# The grammar is small: a wide beam costs little (scoring every senone costs far more than the
# search) and keeps every path.
_WIDE_BEAM = 1e-300
# Gaussians per codebook PocketSphinx evaluates (its default is 4): the acoustic scoring is
# most of the decoding time. Measured on tests/quality: 3 scores as well as 4 in three
# quarters of the time; 2 and 1 are faster still but tell correct from altered text less well.
_TOP_GAUSSIANS = 3

# PocketSphinx acoustic scores are integer logs in base 1.0001 shifted right by 10 bits; its
# Python API returns them exponentiated in base 1.0001, so ln(score) * 2**10 is in nats.
_NATS_PER_LN_SCORE = 2.0**10

_SEARCH = "reference"
_LOOP = "phone_loop"


@dataclass(frozen=True)
class Said:
    """What the alignment found of each reference word."""

    phones: list[list[Segment]]  # aligned phones; none for a skipped word
    followed: list[Followed]
    heard: Heard


class Decoders:
    """One set of decoders; used by one thread at a time."""

    def __init__(self, learner_substitutes: bool) -> None:
        # With the recognizer to run as well, each decoder scores only the senones its search
        # needs: PocketSphinx then takes half the time, and the whole stays within 0.15 of
        # real time. Each decoder's scores are then normalized by its own best senone, so the
        # GOP is less exact: measured on both quality sets, pair discrimination fell by 0.01
        # to 0.03, and false alarms by as much (README, "Pronunciation scoring quality").
        compallsen = not learner_substitutes
        common = {"loglevel": "FATAL", "compallsen": compallsen, "topn": _TOP_GAUSSIANS}
        self.aligner = Decoder(
            lm=None,
            bestpath=False,
            fsgusefiller=False,
            beam=_WIDE_BEAM,
            pbeam=_WIDE_BEAM,
            wbeam=_WIDE_BEAM,
            lw=_GRAMMAR_WEIGHT,
            **common,
        )
        phone_words = [(phone_word(p, s), p) for p in sorted(PHONES) for s in range(SLOTS)]
        for i, (word, phone) in enumerate(phone_words):
            self.aligner.add_word(word, phone, i == len(phone_words) - 1)
        self.loop = Decoder(lm=None, bestpath=False, **common)
        self.loop.add_allphone_file(_LOOP, None)
        self.loop.activate_search(_LOOP)
        self.judge = PhoneJudge() if learner_substitutes else None

    def pronunciations(self, word: str, language: str) -> list[list[str]]:
        found = []
        for variant in range(1, _MAX_PRONUNCIATIONS + 1):
            phones = self.aligner.lookup_word(word if variant == 1 else f"{word}({variant})")
            if phones is None:
                break
            found.append(phones.split())
        found = found or [espeak_pronunciation(word)]
        if language == BRITISH:
            with contextlib.suppress(InvalidInput):  # no British reading: the others stay
                british = espeak_pronunciation(word, BRITISH_VOICE)
                found += [british] if british not in found else []
        return found

    def follow(
        self,
        pcm: bytes,
        words: list[str],
        pronunciations: list[list[list[str]]],
        kept: Collection[int] = (),
    ) -> tuple[Said, list[Pause]]:
        """What the alignment (never skipping the words of `kept`) and the second recognizer
        found of each word, and the pauses between them."""
        aligned, pauses = _assign(self.align(pcm, pronunciations, kept), len(words))
        followed = [
            _match([p.name.upper() for p in phones], variants)
            for phones, variants in zip(aligned, pronunciations, strict=True)
        ]
        heard = hear(self.judge, pcm, words, followed, pauses, pronunciations)
        return Said(aligned, followed, heard), pauses

    def align(
        self, pcm: bytes, pronunciations: list[list[list[str]]], kept: Collection[int] = ()
    ) -> list[Segment]:
        final, transitions = grammar(pronunciations, left_out=self.judge is not None, kept=kept)
        self.aligner.add_fsg(_SEARCH, self.aligner.create_fsg(_SEARCH, 0, final, transitions))
        self.aligner.activate_search(_SEARCH)
        _decode(self.aligner, pcm)
        if self.aligner.hyp() is None:
            raise Unprocessable("The recording cannot be aligned with the reference text.")
        return _segments(self.aligner)

    def phone_loop(self, pcm: bytes) -> list[Segment]:
        _decode(self.loop, pcm)
        return _segments(self.loop)


def _decode(decoder: Decoder, pcm: bytes) -> None:
    # The feature extraction keeps its noise estimate from the previous utterance: without
    # this, the same recording scored up to 2.3 points apart after different ones.
    decoder.reinit_feat()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()


def _segments(decoder: Decoder) -> list[Segment]:
    return [
        Segment(s.word, s.start_frame, s.end_frame, _nats(s.ascore))
        for s in decoder.seg()
        if s.word not in ("<s>", "</s>", "(NULL)")
    ]


def _nats(score: float) -> float:
    return math.log(score) * _NATS_PER_LN_SCORE if score > 0 else -math.inf


def _assign(alignment: list[Segment], n_words: int) -> tuple[list[list[Segment]], list[Pause]]:
    """The phones of each reference word (none for a skipped word) and the pauses."""
    words: list[list[Segment]] = [[] for _ in range(n_words)]
    pauses = []
    current = -1
    for segment in alignment:
        if segment.name == SILENCE:
            pauses.append(Pause(current, segment))
            continue
        phone, slot = phone_and_slot(segment.name)
        if current < 0 or slot != current % SLOTS:
            current += (slot - current) % SLOTS  # the next word in that slot
        words[current].append(Segment(phone, segment.start, segment.end, segment.log_likelihood))
    return words, pauses


def _match(said: list[str], variants: list[list[str]]) -> Followed:
    """The reference phones of the pronunciation the aligner followed, each with the index of
    the phone said for it. The grammar only leaves phones out after a word's first, so the
    phones said are a subsequence of it, matched greedily; of several variants, the one that
    leaves fewest out."""
    for reference in sorted(variants, key=len):
        followed: Followed = []
        matched = 0
        for phone in reference:
            found = matched < len(said) and said[matched] == phone
            followed.append((phone, matched if found else None))
            matched += found
        if matched == len(said) and followed[0][1] == 0:
            return followed
    return [(phone, i) for i, phone in enumerate(said)]  # a skipped word: nothing said
