"""What a scorer's results on a data set measure, as plain numbers: the definitions behind
the evaluation report, free of any speech library."""

import math
from dataclasses import dataclass, field

from evaluation.datasets import Utterance
from ports.scoring import ScoringResult, WordError, WordScore

ERROR_TYPES = (WordError.MISPRONUNCIATION, WordError.OMISSION, WordError.INSERTION)


@dataclass(frozen=True)
class Scored:
    utterance: Utterance
    result: ScoringResult
    seconds: float  # the audio's duration
    wall_seconds: float  # scoring time
    cpu_seconds: float  # this process's CPU time while scoring
    # Against the text its pair's erroneous clip says (Utterance.said), where there is one.
    against_said: ScoringResult | None = None


@dataclass
class Counts:
    expected: int = 0
    predicted: int = 0
    correct: int = 0

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "predicted": self.predicted,
            "precision": _share(self.correct, self.predicted),
            "recall": _share(self.correct, self.expected),
        }


@dataclass
class Report:
    utterances: int = 0
    audio_seconds: float = 0.0
    real_time_factor: float | None = None
    cpu_rtf: float | None = None  # on this process's CPU time: one core's share
    pair_discrimination: float | None = None  # two clips, one text
    pairs: int = 0
    # One clip, two texts, as tests/quality measures it: a clip scores higher against what it
    # says than against its twin's text.
    text_discrimination: float | None = None
    text_pairs: int = 0
    errors_expected: int = 0  # words said with an error
    errors_flagged: float | None = None  # share of them flagged with any error type
    wrong_phone_named: float | None = None  # share of flagged ones whose wrong phone is named
    heard_phone_named: float | None = None  # ... and what was said instead too
    false_alarms: float | None = None  # share of the words of correct utterances flagged
    correct_words: int = 0
    by_error_type: dict[str, dict] = field(default_factory=dict)
    pearson: dict[str, float | None] = field(default_factory=dict)
    failures: int = 0  # utterances the scorer refused (no speech, unalignable)


def reference_entries(result: ScoringResult) -> list[WordScore]:
    """The word scores of the reference words, in order (inserted words left out)."""
    return [w for w in result.word_scores if w.error_type != WordError.INSERTION]


def measure(scored: list[Scored], failures: int = 0) -> Report:
    report = Report(utterances=len(scored), failures=failures)
    if not scored:
        return report
    report.audio_seconds = round(sum(s.seconds for s in scored), 1)
    report.real_time_factor = round(sum(s.wall_seconds for s in scored) / report.audio_seconds, 4)
    report.cpu_rtf = round(sum(s.cpu_seconds for s in scored) / report.audio_seconds, 4)
    _pairs(report, scored)
    _text_pairs(report, scored)
    _miscues(report, [s for s in scored if s.utterance.errors is not None])
    _correlations(report, [s for s in scored if s.utterance.human is not None])
    return report


def _pairs(report: Report, scored: list[Scored]) -> None:
    """Each erroneous utterance against the correct one of its pair: does the correct one
    score higher?"""
    correct = {s.utterance.pair: s for s in scored if s.utterance.pair and s.utterance.correct}
    wins = 0
    for s in scored:
        other = correct.get(s.utterance.pair)
        if other is None or s.utterance.errors in (None, []):
            continue
        report.pairs += 1
        wins += other.result.pronunciation_score > s.result.pronunciation_score
    report.pair_discrimination = _share(wins, report.pairs)


def _text_pairs(report: Report, scored: list[Scored]) -> None:
    """Each clip scored against what it says and against its twin's text: does what it says
    score higher?"""
    wins = 0
    for s in scored:
        if s.against_said is None or s.utterance.errors is None:
            continue
        report.text_pairs += 1
        own, other = s.result.pronunciation_score, s.against_said.pronunciation_score
        wins += own > other if s.utterance.correct else other > own
    report.text_discrimination = _share(wins, report.text_pairs)


def _miscues(report: Report, labelled: list[Scored]) -> None:
    counts = {t: Counts() for t in ERROR_TYPES}
    flagged = named = heard = alarms = 0
    for s in labelled:
        words = reference_entries(s.result)
        expected = {e.word: e for e in s.utterance.errors or []}
        inserted = sum(w.error_type == WordError.INSERTION for w in s.result.word_scores)
        counts[WordError.INSERTION].predicted += inserted
        for e in expected.values():
            counts[e.error_type].expected += 1
        for i, word in enumerate(words):
            if word.error_type != WordError.NONE:
                counts[word.error_type].predicted += 1
            e = expected.get(i)
            if e is None:
                if s.utterance.correct:
                    report.correct_words += 1
                    alarms += word.error_type != WordError.NONE
                continue
            counts[e.error_type].correct += word.error_type == e.error_type
            if e.error_type != WordError.MISPRONUNCIATION:
                continue
            report.errors_expected += 1
            if word.error_type == WordError.NONE:
                continue
            flagged += 1
            wrong = [p for p in word.phonemes if p.error_type != WordError.NONE]
            if e.reference_phone and any(p.phoneme.upper() == e.reference_phone for p in wrong):
                named += 1
                heard += any(
                    p.phoneme.upper() == e.reference_phone
                    and (p.heard or "").upper() == (e.heard_phone or "")
                    for p in wrong
                )
    report.by_error_type = {t.value: c.as_dict() for t, c in counts.items()}
    report.errors_flagged = _share(flagged, report.errors_expected)
    report.wrong_phone_named = _share(named, flagged)
    report.heard_phone_named = _share(heard, flagged)
    report.false_alarms = _share(alarms, report.correct_words)


def _correlations(report: Report, rated: list[Scored]) -> None:
    """Pearson's r with human scores: utterance accuracy and total, word accuracy, and phone
    accuracy where the scorer's pronunciation has as many phones as the rated one."""
    pairs: dict[str, list[tuple[float, float]]] = {
        "utterance accuracy": [],
        "utterance total": [],
        "word accuracy": [],
        "phone accuracy": [],
    }
    for s in rated:
        human = s.utterance.human
        assert human is not None
        if human.accuracy is not None:
            pairs["utterance accuracy"].append((s.result.accuracy_score, human.accuracy))
        if human.total is not None:
            pairs["utterance total"].append((s.result.pronunciation_score, human.total))
        words = reference_entries(s.result)
        if len(words) != len(human.words):
            continue
        for word, rated_word in zip(words, human.words, strict=True):
            pairs["word accuracy"].append((word.score, rated_word.accuracy))
            if len(word.phonemes) == len(rated_word.phones):
                for phone, rated_phone in zip(word.phonemes, rated_word.phones, strict=True):
                    pairs["phone accuracy"].append((phone.score, rated_phone))
    report.pearson = {name: pearson(values) for name, values in pairs.items() if values}


def pearson(pairs: list[tuple[float, float]]) -> float | None:
    """Pearson's correlation coefficient; None with fewer than 3 pairs or no variance."""
    if len(pairs) < 3:
        return None
    xs, ys = zip(*pairs, strict=True)
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return round(sxy / math.sqrt(sxx * syy), 4)


def _share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None
