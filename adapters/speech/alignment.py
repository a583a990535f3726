"""What the offline scorer's forced alignment (adapters.speech.pocketsphinx_scorer) finds in a
recording: segments of frames, the pauses between words, and the reference phones each word
was said with."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    name: str
    start: int  # first frame
    end: int  # last frame, inclusive
    log_likelihood: float  # nats

    @property
    def frames(self) -> int:
        return self.end - self.start + 1


@dataclass(frozen=True)
class Pause:
    after: int  # index of the reference word before it; -1 before the first word
    segment: Segment


# A word's phones: the reference phones of the pronunciation the aligner followed, each with
# the index of the aligned phone said for it (None: left out).
Followed = list[tuple[str, int | None]]
