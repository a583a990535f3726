"""Offline pronunciation scoring with PocketSphinx and its shipped US English models.

How a recording is scored against its reference text:

1. Forced alignment. The reference becomes a finite-state grammar over phones
   (adapters.speech.alignment_grammar; each phone is a one-phone "word", so one decoding
   pass yields phone boundaries and acoustic scores), with optional silence between words
   and penalized arcs that skip up to two words: a word the learner left out costs less to
   skip than to force onto the neighbouring sounds. For a scorer that names wrong phones,
   beside every phone but a word's first a penalized arc leaves it out, and a second
   acoustic model checks each phone said against what learners say instead
   (adapters.speech.learner_substitutes: th as s or t, v as b or w, r and l, ...): a phone
   said as a substitute is found wrong and named with what was said. PocketSphinx's own
   models were tried for that first, as penalized substitute arcs in this grammar: with the
   penalties calibrated per pair of phones they flagged 0.61 of the L2 error set's
   held-out errors at 0.04 false alarms, the recognizer 0.84 at 0.08.
2. Free phone loop. The same audio is decoded as any sequence of context-independent phones,
   the unconstrained hypothesis the forced path is compared with.
3. Goodness of pronunciation (GOP). For each phone, (forced log-likelihood - free phone-loop
   log-likelihood over the same frames) / frames, in nats per frame. Both decoders compute
   every senone on every frame (`compallsen`), so the per-frame normalization PocketSphinx
   applies to acoustic scores is the same in both and cancels; the scorer that names wrong
   phones leaves that out (adapters.speech.pocketsphinx_decoders). The loop's score of a
   frame is its phone segment's score spread evenly over the segment's frames.
4. Calibration. A phone's GOP maps to 0-100 on a logistic curve (_phone_accuracy); a phone
   left out scores 0; a phone the second model checked against its learner substitutes
   scores its probability there of being itself instead (below 50 when said as one): on the
   L2 error set, where two recordings of a sentence differ in one phone, PocketSphinx's GOP
   of the phones they share moved more between them than the phone that differs did. That
   scorer takes the GOP of its other phones over their neighbours' frames too (`_Calibration`).
   A word scores the mean of its phones; accuracy is the mean over the reference words said.
5. Miscues (rules in adapters.speech.miscues). Omission: the alignment skipped the word, or
   scored it badly while laying it over what the phone loop hears as silence or squeezing it
   into its shortest span (with the second model: and that model finds the audio likelier
   without the word's phones; a skipped word that model hears is aligned again, kept).
   Insertion: a pause of the alignment that the phone loop hears as speech and that the
   silence model explains badly (with the second model: that holds some speech, where that
   model hears one more phone than the reference has, at the pause's boundary or, with more
   speech in the pause, a word away); it is reported with the phones the loop heard.
   Mispronunciation: a phone of the word said as a substitute or left out (step 1), or word
   accuracy below a threshold.
6. Fluency from timing (speech rate, hesitations), completeness as the share of reference
   words said, and the pronunciation score as their weighted mean with accuracy.

recognized_text is what the scorer finds in the audio: the reference words it did not judge
omitted, and the inserted stretches. Word recognition with the shipped language model was
tried as the free hypothesis and dropped: on the synthesized test voices it cost 0.25-0.45 of
real time and got 1 sentence in 24 right, while the phone loop plus the constrained alignment
stays within 0.1 of real time. Naming a wrong phone by the free loop's best competitor over
its frames was tried before the substitute arcs and dropped: on the tuning clips the loop's
majority phone was the substituted one for only half of the substituted phones, and differed
from the reference phone for half of the correctly said ones.

Words missing from the CMU dictionary get a pronunciation from eSpeak NG's own phonemizer
(adapters.speech.espeak_phonemes: espeak_TextToPhonemes in the library synthesis uses), mapped
from IPA to ARPAbet: offline, no model download, and it reads numbers and abbreviations too.

Decoders are heavy and not thread-safe: each instance keeps a small pool of decoder sets, and a
scoring call holds one set throughout. PocketSphinx keeps the GIL while it decodes, so threads
only keep the event loop responsive between calls; run scorers in several processes (Ray Serve
replicas) for parallelism.
"""

import asyncio
import contextlib
import math
import queue
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from adapters.speech.alignment import Pause, Segment
from adapters.speech.learner_substitutes import Judged
from adapters.speech.miscues import (
    MiscueThresholds,
    PauseEvidence,
    WordEvidence,
    classify,
    heard_word,
    holds_extra_word,
    reference_words,
)
from adapters.speech.pocketsphinx_decoders import BRITISH, PHONES, Decoders, Said
from adapters.speech.recording import (
    FRAME_RATE,
    MIN_SPEECH_SECONDS,
    SAMPLES_PER_FRAME,
    usable_speech,
)
from adapters.speech.second_recognizer import Heard
from domain.errors import InvalidInput, ServiceUnavailable, Unprocessable
from ports.scoring import PcmAudio, PhonemeScore, ScoringResult, WordError, WordScore

SUPPORTED_LANGUAGE = "en-US"
# A tag without a region asks for the scorer's main locale of that language. British English
# is scored with the same (US) acoustic models, and each word may also be said as eSpeak NG's
# British English reads it (non-rhotic "car", "hot" with its own vowel mapped to the nearest).
_SUPPORTED_TAGS = (SUPPORTED_LANGUAGE, "en", BRITISH)

_MIN_FRAMES_PER_PHONE = 3  # three emitting HMM states, no skip transitions

# Phone accuracy = 100 / (1 + exp(-(GOP - _GOP_MIDPOINT) / _GOP_SCALE)), GOP in nats/frame.
_GOP_MIDPOINT = -6.0
_GOP_SCALE = 1.5
MISCUES = MiscueThresholds(
    mispronounced_below=50.0,
    omitted_below=30.0,
    silent_share=0.7,
    squeezed_ratio=1.25,
    extra_speech_frames=10,
    extra_speech_share=0.4,
    extra_speech_gop=-1.0,
)


@dataclass(frozen=True)
class _Calibration:
    miscues: MiscueThresholds
    # Aligned neighbours in the word on each side whose frames a phone's GOP spans too.
    gop_neighbours: int


_GOP_ALONE = _Calibration(MISCUES, gop_neighbours=0)
# With learner substitutes checked a wrong phone is found one by one, so a word's mean is
# left for the words that check misses: calibrated on the L2 set's tuning part when the check
# was made by substitute arcs in the alignment grammar, and kept. Its GOP is less exact (only
# the senones searched are scored, pocketsphinx_decoders): a boundary the aligner puts a few
# frames off moved the GOP of phones the two recordings of an L2 pair share more than the phone that
# differs moved the score. Spanning its neighbours, a phone's GOP keeps the frames one of
# them loses to the other: on the tuning part, pair discrimination rose from 0.800 to 0.848
# with one neighbour a side (0.829 with the whole word), with the same false alarms.
# An inserted word is judged by the second recognizer (miscues.holds_extra_word): on the L2
# set's tuning part, which has none, PocketSphinx's rule alone found 12 and this one 3; on
# the set of tests/quality it found 27 of the 36 extra words where that rule found 25, with
# as many found where the reading had none (4). A word squeezed or laid over silence is
# omitted only where that recognizer finds the audio likelier without its phones (0 nats, not
# tuned): on both sets every such word was there (15 of them), and all but 3 had it likelier
# with them. The words missing from tests/quality's audio were skipped (34 of 36); a word
# skipped though that recognizer finds the audio likelier with it is aligned again, kept: on
# that set, the omissions in correct readings fell from 12 to 5 (false alarms 0.162 ->
# 0.146, extra words found 27 -> 25 or 26 of 36, pairs unchanged). Where the recognizer hears
# the extra phone only a word away from the pause, the pause needs 12 frames of speech (8 at
# its own boundary): on tests/quality, extra words found 26 -> 30 of 36 and pairs 0.951 ->
# 0.965; on the L2 tuning part (its clips scored against their text and their twin's), the
# pauses found to hold a word stayed at 5 (with 8 frames: 11; with 14: 5, and 29 found).
_WITH_SUBSTITUTES = _Calibration(
    replace(
        MISCUES,
        mispronounced_below=35.0,
        extra_phone_speech_frames=8,
        extra_phone_nats=1.0,
        extra_phone_near_speech_frames=12,
        omitted_nats=0.0,
    ),
    gop_neighbours=1,
)

# Fluency: speech rate in phones per second between the first and the last word said (no
# credit at or below _SLOW_RATE, full credit from _FLUENT_RATE) and hesitation: pause time
# beyond _PAUSE_ALLOWANCE per pause, relative to the speaking time.
_SLOW_RATE, _FLUENT_RATE = 4.0, 9.0
_PAUSE_ALLOWANCE = 0.3
_HESITATION_WEIGHT = 2.0
# Pronunciation score: weighted mean of the three (Azure combines the same three scores).
_ACCURACY_WEIGHT, _FLUENCY_WEIGHT, _COMPLETENESS_WEIGHT = 0.6, 0.2, 0.2


class PocketsphinxScorer:
    """ports.scoring.SpeechScorer for English, computed offline from the audio. With
    `learner_substitutes` (SPEECH_PROVIDER=pocketsphinx-phones) each phone is also checked
    against the phones learners say instead (step 1 of the method), so a wrong phone is named
    (README, "Pronunciation scoring quality")."""

    def __init__(self, pool_size: int = 1, *, learner_substitutes: bool = False) -> None:
        self._substitutes = learner_substitutes
        self.provider = "pocketsphinx-phones" if learner_substitutes else "pocketsphinx"
        self._pool: queue.Queue[Decoders] = queue.Queue()
        try:
            for _ in range(pool_size):
                self._pool.put(Decoders(learner_substitutes))
        except (RuntimeError, ValueError) as exc:
            raise ServiceUnavailable(f"PocketSphinx models cannot be loaded: {exc}") from exc

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        return await asyncio.to_thread(self.score_blocking, audio, reference_text, language)

    def score_blocking(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        """What `score` does, in the calling thread: CPU-bound, about a tenth of the audio's
        duration."""
        if language not in _SUPPORTED_TAGS:
            raise InvalidInput(
                f"Language {language!r} is not supported: only English "
                f"({', '.join(_SUPPORTED_TAGS)}) is.",
                {"field": "language", "supported": list(_SUPPORTED_TAGS)},
            )
        words = reference_words(reference_text)
        if not words:
            raise InvalidInput("reference_text has no words.", {"field": "reference_text"})
        pcm = usable_speech(audio)
        calibration = _WITH_SUBSTITUTES if self._substitutes else _GOP_ALONE
        with self._borrow() as decoders:
            pronunciations = [decoders.pronunciations(w, language) for w in words]
            loop = decoders.phone_loop(pcm)
            said, pauses = decoders.follow(pcm, words, pronunciations)
            # A word the alignment skipped though the second recognizer hears it is aligned
            # again, kept (the audio may hold too few frames for every word: then it is not).
            kept = {
                i
                for i, phones in enumerate(said.phones)
                if not phones and heard_word(said.heard.left_out_nats.get(i), calibration.miscues)
            }
            if kept:
                with contextlib.suppress(Unprocessable):
                    said, pauses = decoders.follow(pcm, words, pronunciations, kept)
        n_frames = len(pcm) // 2 // SAMPLES_PER_FRAME
        return _assess(words, said, pauses, loop, n_frames, calibration, self.provider)

    @contextlib.contextmanager
    def _borrow(self) -> Iterator[Decoders]:
        decoders = self._pool.get()
        try:
            yield decoders
        finally:
            self._pool.put(decoders)


def _assess(
    words: list[str],
    said: Said,
    pauses: list[Pause],
    loop: list[Segment],
    n_frames: int,
    calibration: _Calibration,
    provider: str,
) -> ScoringResult:
    free, speech = _frame_scores(loop, n_frames)
    if speech.sum() < MIN_SPEECH_SECONDS * FRAME_RATE:
        raise Unprocessable(f"The recording holds less than {MIN_SPEECH_SECONDS} s of speech.")
    inserted: dict[int, list[str]] = {}
    hesitations = []
    for pause in pauses:
        evidence = _pause_evidence(pause, free, speech, said.heard)
        if holds_extra_word(evidence, calibration.miscues):
            inserted.setdefault(pause.after, []).append(_heard(pause.segment, loop))
        else:
            hesitations.append(pause.segment)

    scores = [WordScore(w, 0.0, WordError.INSERTION) for w in inserted.get(-1, [])]
    spoken: list[list[Segment]] = []
    for i, (word, phones) in enumerate(zip(words, said.phones, strict=True)):
        score = _word_score(word, i, said, free, speech, calibration)
        scores.append(score)
        if score.error_type != WordError.OMISSION:
            spoken.append(phones)
        scores += [WordScore(w, 0.0, WordError.INSERTION) for w in inserted.get(i, [])]
    # Omitted words and inserted stretches score 0 (as in Azure's results) and count: they are
    # errors of pronunciation too.
    accuracy = sum(s.score for s in scores) / len(scores)
    fluency = _fluency(spoken, hesitations)
    completeness = 100.0 * len(spoken) / len(words)
    overall = (
        _ACCURACY_WEIGHT * accuracy
        + _FLUENCY_WEIGHT * fluency
        + _COMPLETENESS_WEIGHT * completeness
    )
    return ScoringResult(
        recognized_text=" ".join(s.word for s in scores if s.error_type != WordError.OMISSION),
        pronunciation_score=round(overall, 1),
        accuracy_score=round(accuracy, 1),
        fluency_score=round(fluency, 1),
        completeness_score=round(completeness, 1),
        word_scores=scores,
        provider=provider,
    )


def _frame_scores(loop: list[Segment], n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the free phone loop's log-likelihood (nats) and whether it heard speech."""
    free = np.zeros(n_frames)
    speech = np.zeros(n_frames, dtype=bool)
    for segment in loop:
        free[segment.start : segment.end + 1] = segment.log_likelihood / segment.frames
        speech[segment.start : segment.end + 1] = segment.name in PHONES
    return free, speech


def _gop(segment: Segment, free: np.ndarray) -> float:
    """Goodness of pronunciation in nats per frame."""
    reference = free[segment.start : segment.end + 1].sum()
    return (segment.log_likelihood - reference) / segment.frames


def _in_context(phones: list[Segment], i: int, neighbours: int) -> Segment:
    """Phone i of a word with up to `neighbours` aligned phones of the word on each side, as
    one segment to take the GOP of."""
    span = phones[max(0, i - neighbours) : i + neighbours + 1]
    return Segment(phones[i].name, span[0].start, span[-1].end, sum(p.log_likelihood for p in span))


def _phone_accuracy(gop: float) -> float:
    """0-100. The loop has context-independent phones and the alignment triphones, so a
    well-said phone can come out ahead of the loop (GOP > 0): that is full marks too."""
    return 100.0 / (1.0 + math.exp(-(min(gop, 0.0) - _GOP_MIDPOINT) / _GOP_SCALE))


def _word_score(
    word: str,
    index: int,
    said: Said,
    free: np.ndarray,
    speech: np.ndarray,
    calibration: _Calibration,
) -> WordScore:
    phones = said.phones[index]
    judged = {k: v for (w, k), v in said.heard.judged.items() if w == index}
    if not phones:
        return WordScore(word, 0.0, WordError.OMISSION)
    scores = [
        _phoneme_score(
            reference,
            None if i is None else _in_context(phones, i, calibration.gop_neighbours),
            judged.get(i),
            free,
        )
        for reference, i in said.followed[index]
    ]
    accuracy = sum(p.score for p in scores) / len(scores)
    start, end = phones[0].start, phones[-1].end
    evidence = WordEvidence(
        accuracy=accuracy,
        frames=end - start + 1,
        min_frames=_MIN_FRAMES_PER_PHONE * len(phones),
        silent_share=1.0 - float(speech[start : end + 1].mean()),
        left_out_nats=said.heard.left_out_nats.get(index),
    )
    error = classify(evidence, calibration.miscues)
    if error == WordError.OMISSION:
        return WordScore(word, 0.0, error)
    if any(p.error_type != WordError.NONE for p in scores):
        error = WordError.MISPRONUNCIATION
    return WordScore(word, round(accuracy, 1), error, scores)


def _phoneme_score(
    reference: str, said: Segment | None, judged: Judged | None, free: np.ndarray
) -> PhonemeScore:
    """A phone left out is an error and scores 0, as Azure scores what was not said. A phone
    the recognizer judged against its learner substitutes scores its probability of being
    itself (one said as a substitute is an error, and below 50); any other scores the GOP of
    `said`, the phone's segment (with its neighbours', `_in_context`)."""
    phoneme = reference.lower()
    if said is None:
        return PhonemeScore(phoneme, 0.0, WordError.OMISSION)
    if judged is None:
        return PhonemeScore(phoneme, round(_phone_accuracy(_gop(said, free)), 1))
    if judged.heard is None:
        return PhonemeScore(phoneme, round(judged.accuracy, 1))
    return PhonemeScore(
        phoneme, round(judged.accuracy, 1), WordError.MISPRONUNCIATION, judged.heard.lower()
    )


def _pause_evidence(
    pause: Pause, free: np.ndarray, speech: np.ndarray, heard: Heard
) -> PauseEvidence:
    segment = pause.segment
    return PauseEvidence(
        frames=segment.frames,
        speech_frames=int(speech[segment.start : segment.end + 1].sum()),
        gop=_gop(segment, free),
        extra_phone_nats=heard.extra_phone_nats.get(pause.after),
        extra_phone_nats_near=heard.extra_phone_near(pause.after),
    )


def _heard(pause: Segment, loop: list[Segment]) -> str:
    """An inserted stretch as the phones the free loop heard in it, e.g. "[k-aa-f-iy]"."""
    phones = [
        s.name.lower()
        for s in loop
        if s.name in PHONES and pause.start <= (s.start + s.end) // 2 <= pause.end
    ]
    return f"[{'-'.join(phones)}]"


def _fluency(said: list[list[Segment]], pauses: list[Segment]) -> float:
    """0-100 from the speech rate between the first and the last word said and from the
    hesitations in between."""
    if not said:
        return 0.0
    start, end = said[0][0].start, said[-1][-1].end
    seconds = (end - start + 1) / FRAME_RATE
    rate = sum(len(phones) for phones in said) / seconds
    rate_score = min(1.0, max(0.0, (rate - _SLOW_RATE) / (_FLUENT_RATE - _SLOW_RATE)))
    hesitation = sum(
        max(0.0, pause.frames / FRAME_RATE - _PAUSE_ALLOWANCE)
        for pause in pauses
        if start < pause.start and pause.end < end
    )
    pause_score = max(0.0, 1.0 - _HESITATION_WEIGHT * hesitation / seconds)
    return 100.0 * (rate_score + pause_score) / 2
