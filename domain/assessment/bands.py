"""From measurements to a CEFR band and a 0-100 score, by one table of thresholds and one of
weights."""

from collections.abc import Mapping
from dataclasses import dataclass

from ports.cefr import CefrLevel

LEVELS = tuple(CefrLevel)


@dataclass(frozen=True)
class Scale:
    unit: str
    starts: tuple[float, float, float, float, float, float]
    """The value at which A1, A2, B1, B2, C1 and C2 begin (A1's is the bottom of the scale)."""
    higher_is_better: bool = True


# Calibrated heuristics, NOT a validated exam. Each row was set by hand from rules of thumb:
# the CEFR Companion Volume's qualitative descriptors (more, rarer and more varied words, fewer
# errors, longer and better linked utterances as levels rise), speech rates usually quoted for
# learners (about 60-100 words a minute at A2-B1) and fluent adults (130-160), cefrpy's word
# levels, and a handful of hand-written samples per level (see tests/unit/test_assessment.py).
# Tune them against rated learner recordings before using them for placement.
SCALES: dict[str, Scale] = {
    #                                                       A1    A2    B1    B2    C1    C2
    "pronunciation_score": Scale("0-100", (0.0, 40.0, 55.0, 68.0, 80.0, 90.0)),
    "grammar_errors_per_100_words": Scale(
        "errors per 100 words", (25.0, 12.0, 8.0, 5.0, 2.5, 1.0), higher_is_better=False
    ),
    "subordinate_clauses_per_sentence": Scale("clauses", (0.0, 0.1, 0.3, 0.6, 0.9, 1.2)),
    "share_of_words_above_a2": Scale("fraction", (0.0, 0.04, 0.08, 0.13, 0.19, 0.26)),
    "mtld": Scale("MTLD", (0.0, 20.0, 35.0, 50.0, 65.0, 80.0)),
    "words_per_minute": Scale("words per minute", (0.0, 60.0, 85.0, 110.0, 130.0, 150.0)),
    "words_per_sentence": Scale("words", (0.0, 5.0, 8.0, 11.0, 14.0, 17.0)),
    "connective_points": Scale("points", (0.0, 1.0, 3.0, 5.0, 8.0, 11.0)),
    "repeated_trigram_share": Scale(
        "fraction", (0.5, 0.3, 0.2, 0.12, 0.06, 0.03), higher_is_better=False
    ),
}

# What each skill of a speaking assessment is made of (weights add up to 1). Grammar weighs
# accuracy and range alike, since error-free A1 sentences are not C2 grammar.
SKILL_WEIGHTS: dict[str, dict[str, float]] = {
    "pronunciation": {"pronunciation_score": 1.0},
    "grammar": {"grammar_errors_per_100_words": 0.5, "subordinate_clauses_per_sentence": 0.5},
    "vocabulary": {"share_of_words_above_a2": 0.7, "mtld": 0.3},
    "fluency": {"words_per_minute": 0.7, "words_per_sentence": 0.3},
    "coherence": {"connective_points": 0.7, "repeated_trigram_share": 0.3},
}


def skill_position(skill: str, values: Mapping[str, float]) -> float:
    """The weighted position of a skill's measurements, named as in SCALES."""
    return sum(weight * position(m, values[m]) for m, weight in SKILL_WEIGHTS[skill].items())


def position(measure: str, value: float) -> float:
    """Where `value` lies on the scale, 0 (bottom of A1) to just under 6 (top of C2),
    interpolated inside a band so that scores move smoothly with the measurement."""
    scale = SCALES[measure]
    sign = 1.0 if scale.higher_is_better else -1.0
    starts = [sign * s for s in scale.starts]
    v = sign * value
    if v <= starts[0]:
        return 0.0
    for i in range(5):
        if v < starts[i + 1]:
            return i + (v - starts[i]) / (starts[i + 1] - starts[i])
    return min(5.0 + (v - starts[5]) / (starts[5] - starts[4]), 5.99)


def band(pos: float) -> CefrLevel:
    return LEVELS[min(int(pos), 5)]


def score(pos: float) -> float:
    return round(pos / 6 * 100, 1)
