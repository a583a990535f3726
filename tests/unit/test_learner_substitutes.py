"""The learner-substitute check's judgement and choice of phones, without audio."""

from adapters.speech.learner_substitutes import (
    _THRESHOLDS,
    Contrast,
    judged,
    open_to_substitutes,
)


def contrast(substitute: str, margin: float) -> Contrast:
    """A contrast of "think"'s TH with `substitute`, `margin` nats over its threshold."""
    return Contrast("TH", substitute, _THRESHOLDS[("TH", substitute)] + margin)


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
