"""The learner-substitute check's arithmetic and choice of phones, without audio."""

import itertools
import math

import numpy as np

from adapters.speech.learner_substitutes import (
    _THRESHOLDS,
    Contrast,
    _ctc_log_likelihood,
    judged,
    open_to_substitutes,
)


def brute_force(log_posteriors: np.ndarray, labels: list[int]) -> float:
    """CTC by definition: the sum over every frame path that collapses (repeats merged, then
    blanks, index 0, removed) to the labels."""
    total = -math.inf
    frames, symbols = log_posteriors.shape
    for path in itertools.product(range(symbols), repeat=frames):
        merged = [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]]
        if [s for s in merged if s != 0] == labels:
            total = np.logaddexp(total, sum(log_posteriors[t, s] for t, s in enumerate(path)))
    return float(total)


def test_the_forward_algorithm_sums_every_alignment() -> None:
    rng = np.random.default_rng(7)
    logits = rng.normal(size=(6, 4))
    log_posteriors = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    labels = [[1, 2, 3], [1, 1, 2], [3, 2, 2]]  # repeated labels need a blank between them
    found = _ctc_log_likelihood(log_posteriors, np.array(labels))
    expected = [brute_force(log_posteriors, label) for label in labels]
    np.testing.assert_allclose(found, expected, rtol=1e-9)


def test_too_few_frames_for_the_labels_is_impossible() -> None:
    log_posteriors = np.log(np.full((2, 3), 1 / 3))
    assert _ctc_log_likelihood(log_posteriors, np.array([[1, 1]]))[0] == -math.inf


def contrast(substitute: str, margin: float) -> Contrast:
    """A contrast of "think"'s TH with `substitute`, `margin` nats over its threshold."""
    return Contrast(0, 0, "TH", substitute, _THRESHOLDS[("TH", substitute)] + margin)


def test_a_phone_scores_its_probability_of_being_itself_against_its_substitutes() -> None:
    at_threshold = judged([contrast("S", 0.0)])
    assert at_threshold.heard is None and at_threshold.accuracy == 50.0
    said_well = judged([contrast("S", -6.0), contrast("T", -9.0), contrast("F", -8.0)])
    assert said_well.heard is None and 90.0 < said_well.accuracy < 100.0
    # Each substitute near its threshold takes its share: two below it still cost points.
    doubtful = judged([contrast("S", -1.0), contrast("T", -1.0)])
    assert doubtful.heard is None and doubtful.accuracy < 50.0


def test_the_substitute_most_over_its_threshold_is_what_was_said() -> None:
    said_as_t = judged([contrast("S", 1.0), contrast("T", 4.0), contrast("F", -5.0)])
    assert said_as_t.heard == "T" and said_as_t.accuracy < 15.0


def test_consonants_and_the_stressed_vowel_are_checked() -> None:
    # "very" V EH R IY: the stressed vowel is the first; "the" is unstressed throughout.
    assert open_to_substitutes("very", ["V", "EH", "R", "IY"]) == [True, True, True, False]
    assert open_to_substitutes("the", ["DH", "AH"]) == [True, False]
    assert open_to_substitutes("a", ["AH"]) == [False]


def test_the_recognizer_hears_long_recordings_in_stretches_cut_at_pauses() -> None:
    """A stretch ends in the middle of a pause between words once it is 3 s long; short
    pauses, and the silence before the first word and after the last, are not cut."""
    from adapters.speech.pocketsphinx_scorer import _Pause, _Segment, _stretches

    def pause(after: int, start: int, end: int) -> _Pause:  # frames of 10 ms
        return _Pause(after, _Segment("<sil>", start, end, 0.0))

    pauses = [
        pause(-1, 0, 19),  # before the first word
        pause(0, 150, 169),  # at 1.5 s: too early to cut
        pause(2, 330, 335),  # at 3.3 s: too short
        pause(3, 400, 419),  # at 4.0 s: cut at frame 410
        pause(5, 700, 729),  # 3 s after the cut (frame 715)
        pause(7, 900, 949),  # after the last word
    ]
    trim = 1600  # 0.1 s of the 0.2 s margin
    assert _stretches(pauses, 8, 96_000) == [
        (0, 4, trim, 410 * 160),
        (4, 6, 410 * 160, 715 * 160),
        (6, 8, 715 * 160, 96_000 - trim),
    ]
