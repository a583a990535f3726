"""The evaluation report's definitions on hand-made results: what counts as flagged, named,
a false alarm and a won pair."""

from dataclasses import replace
from pathlib import Path

import pytest

from evaluation.datasets import ExpectedError, HumanScores, HumanWord, Utterance
from evaluation.metrics import Scored, measure, pearson
from ports.scoring import PhonemeScore, ScoringResult, WordError, WordScore

MISPRONUNCIATION = WordError.MISPRONUNCIATION


def result(score: float, *words: WordScore) -> ScoringResult:
    return ScoringResult(" ".join(w.word for w in words), score, score, 90, 100, list(words), "x")


def scored(utterance: Utterance, outcome: ScoringResult) -> Scored:
    return Scored(utterance, outcome, seconds=2.0, wall_seconds=0.2, cpu_seconds=0.1)


def utterance(uid: str, pair: str, errors: list[ExpectedError] | None) -> Utterance:
    return Utterance(uid, Path(f"{uid}.wav"), "I think so", pair=pair, errors=errors)


TH_AS_S = ExpectedError(1, MISPRONUNCIATION, "TH", "S")
GOOD = WordScore("i", 95, phonemes=[PhonemeScore("ay", 95)])
SO = WordScore("so", 90, phonemes=[PhonemeScore("s", 90), PhonemeScore("ow", 90)])


def think(error: WordError = WordError.NONE, wrong: str = "th", heard: str | None = "s"):
    phones = [PhonemeScore(p, 90) for p in ("th", "ih", "ng", "k")]
    if error != WordError.NONE:
        index = [p.phoneme for p in phones].index(wrong)
        phones[index] = PhonemeScore(wrong, 0, MISPRONUNCIATION, heard)
    return WordScore("think", 70 if error != WordError.NONE else 90, error, phones)


def test_flagged_named_heard_and_false_alarms() -> None:
    report = measure(
        [
            scored(utterance("a-ok", "a", []), result(90, GOOD, think(), SO)),
            scored(
                utterance("a-err", "a", [TH_AS_S]), result(80, GOOD, think(MISPRONUNCIATION), SO)
            ),
            scored(utterance("b-ok", "b", []), result(85, GOOD, think(MISPRONUNCIATION), SO)),
            scored(
                utterance("b-err", "b", [TH_AS_S]),
                result(88, GOOD, think(MISPRONUNCIATION, "k", "t"), SO),
            ),
            scored(utterance("c-err", "c", [TH_AS_S]), result(70, GOOD, think(), SO)),
        ]
    )
    assert report.pairs == 2 and report.pair_discrimination == 0.5  # b's correct clip lost
    assert report.errors_expected == 3
    assert report.errors_flagged == pytest.approx(2 / 3, abs=1e-4)
    assert report.wrong_phone_named == 0.5  # b-err flagged the word for its k
    assert report.heard_phone_named == 0.5
    assert report.correct_words == 6 and report.false_alarms == pytest.approx(1 / 6, abs=1e-4)
    mispronunciation = report.by_error_type["Mispronunciation"]
    assert mispronunciation["expected"] == 3 and mispronunciation["predicted"] == 3
    assert mispronunciation["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert report.real_time_factor == 0.1 and report.cpu_rtf == 0.05


def test_pearson_against_human_scores_where_they_exist() -> None:
    human = HumanScores(8, 8, [HumanWord(10, [2]), HumanWord(6, [2, 1, 0, 2]), HumanWord(9)])
    rated = [
        scored(
            Utterance(str(i), Path("x.wav"), "I think so", human=human),
            result(50 + 10 * i, GOOD, think(), SO),
        )
        for i in range(3)
    ]
    report = measure(rated)
    assert report.pearson["word accuracy"] == pytest.approx(
        0.6934, abs=1e-4
    )  # (95, 90, 90) against (10, 6, 9)
    assert "phone accuracy" in report.pearson
    assert report.pearson.get("utterance accuracy") is None  # no variance in the human score


def test_a_clip_wins_its_pair_of_texts_when_what_it_says_scores_higher() -> None:
    def with_said(uid: str, errors, own: float, said: float) -> Scored:
        clip = scored(utterance(uid, uid[0], errors), result(own, GOOD, think(), SO))
        return replace(clip, against_said=result(said, GOOD, think(), SO))

    report = measure(
        [
            with_said("a-ok", [], 90, 80),  # its own text wins
            with_said("a-err", [TH_AS_S], 85, 88),  # "I sink so" wins: that is what it says
            with_said("b-ok", [], 85, 85),  # a tie is no win
            scored(utterance("c-ok", "c", []), result(90, GOOD, think(), SO)),  # no twin text
        ]
    )
    assert report.text_pairs == 3 and report.text_discrimination == pytest.approx(2 / 3, abs=1e-4)


def test_pearson_is_undefined_without_variance_or_pairs() -> None:
    assert pearson([(1, 2), (2, 4)]) is None
    assert pearson([(1, 2), (2, 2), (3, 2)]) is None
    assert pearson([(1, 1), (2, 2), (3, 3)]) == 1.0
