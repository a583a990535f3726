"""What the offline scorer's second recognizer (adapters.speech.learner_substitutes) hears of
an aligned recording: each phone said against its substitutes, each boundary between words
against one more phone, and each word against the audio without it. The recognizer hears the
recording in stretches (adapters.speech.alignment gives the pauses to cut them at); this module
puts what it heard of each back together per reference word."""

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.speech.alignment import Followed, Pause
from adapters.speech.learner_substitutes import Judged, PhoneJudge, SaidPhone, open_to_substitutes
from adapters.speech.recording import MARGIN_SECONDS, SAMPLE_RATE, SAMPLES_PER_FRAME

# The recognizer needs no noise estimate, and its cost (and the check's, which grows with
# words times frames) grows faster than the audio's length: it hears the loud part within a
# short margin, in stretches cut at the aligner's pauses once they are this long (measured:
# 0.058 of real time for 1.7 s of speech, 0.097 for 13.6 s).
_MARGIN_SECONDS = 0.1
_STRETCH_SECONDS = 3.0
_CUT_AT_PAUSE_FRAMES = 10


@dataclass(frozen=True)
class Heard:
    """What the second recognizer made of the phones aligned (nothing without one)."""

    judged: dict[tuple[int, int], Judged]  # (word, aligned phone) -> against its substitutes
    # Reference word before a boundary (-1: before the first word) -> how much more likely the
    # audio is with one more phone there.
    extra_phone_nats: dict[int, float]
    # Reference word -> how much more likely the audio is with its phones left out (a word the
    # aligner skipped: than with its first pronunciation in its place).
    left_out_nats: dict[int, float]

    def extra_phone_near(self, after: int) -> float | None:
        """How much more likely the audio is with one more phone at the boundary on either
        side of the one after word `after` (-1: before the first), the likelier; None
        without a recognizer."""
        near = [self.extra_phone_nats.get(k) for k in (after - 1, after + 1)]
        return max((nats for nats in near if nats is not None), default=None)


def hear(
    judge: PhoneJudge | None,
    pcm: bytes,
    words: Sequence[str],
    followed: Sequence[Followed],
    pauses: Sequence[Pause],
    pronunciations: Sequence[Sequence[Sequence[str]]],
) -> Heard:
    """The second recognizer's judgement of the phones aligned, of the boundaries between the
    words, and of each word's presence."""
    heard = Heard({}, {}, {})
    if judge is None:
        return heard
    said = [
        [
            SaidPhone(reference, is_open)
            for (reference, index), is_open in zip(
                phones, open_to_substitutes(word, [r for r, _ in phones]), strict=True
            )
            if index is not None
        ]
        for word, phones in zip(words, followed, strict=True)
    ]
    for first, last, start, end in stretches(pauses, len(words), len(pcm) // 2):
        skipped = {w - first: pronunciations[w][0] for w in range(first, last) if not said[w]}
        stretch = judge.hear(pcm[2 * start : 2 * end], said[first:last], skipped)
        heard.judged.update({(first + w, k): v for (w, k), v in stretch.judged.items()})
        # A pause cut between two stretches is a boundary of both: the likelier counts.
        for after, nats in enumerate(stretch.extra_phone_nats, start=first - 1):
            heard.extra_phone_nats[after] = max(nats, heard.extra_phone_nats.get(after, nats))
        for word, nats in enumerate(stretch.left_out_nats, start=first):
            if nats is not None:
                heard.left_out_nats[word] = nats
    return heard


def stretches(
    pauses: Sequence[Pause], n_words: int, n_samples: int
) -> list[tuple[int, int, int, int]]:
    """The recognizer's stretches of the recording: (first word, word after the last, first
    sample, sample after the last), cut in the middle of pauses between words once a stretch
    is _STRETCH_SECONDS long; the recording's margin shrunk to the recognizer's."""
    trim = int((MARGIN_SECONDS - _MARGIN_SECONDS) * SAMPLE_RATE)
    found, first, start = [], 0, trim
    for pause in pauses:
        cut = (pause.segment.start + pause.segment.end + 1) // 2 * SAMPLES_PER_FRAME
        if (
            0 <= pause.after < n_words - 1
            and pause.segment.frames >= _CUT_AT_PAUSE_FRAMES
            and cut - start >= _STRETCH_SECONDS * SAMPLE_RATE
        ):
            found.append((first, pause.after + 1, start, cut))
            first, start = pause.after + 1, cut
    return [*found, (first, n_words, start, n_samples - trim)]
