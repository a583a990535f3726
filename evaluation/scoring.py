"""Pronunciation scorers side by side on a data set.

    .venv/bin/python -m evaluation.scoring DATASET_DIR [--scorer SPEC]... [--split NAME]
        [--limit N] [--out DIR]

DATASET_DIR is a folder in one of the layouts evaluation.datasets reads (Parla's manifest,
as `python -m evaluation.l2_errors` writes it, or speechocean762 as published). Each
`--scorer` is what the SPEECH_PROVIDER setting accepts (default: pocketsphinx), built by the
composition root with the rest of the settings from the environment, so a scorer configured
there is evaluated as it serves. Every scorer scores every utterance in this process, one at
a time; the report (JSON and Markdown, printed and written to --out) gives per scorer: pair
discrimination (a clip against its own text and its twin's, and the correct clip against the
erroneous one), miscue precision and recall by error type, the share of erroneous words
flagged and of those whose wrong phone is named, false alarms on correctly said words,
Pearson's r with human scores where the data set has them, and the real-time factor.
"""

import argparse
import asyncio
import contextlib
import json
import time
from dataclasses import asdict
from pathlib import Path

from adapters.metrics import PrometheusMetrics
from adapters.speech.codec import decode_to_pcm
from deployments.providers import build_speech_scorer
from deployments.settings import Settings
from domain.errors import DomainError
from evaluation.datasets import Dataset, DatasetError, load_dataset
from evaluation.metrics import Report, Scored, measure
from ports.scoring import SpeechScorer

DEFAULT_SCORER = "pocketsphinx"
LANGUAGE = "en-US"


def build_scorer(spec: str) -> SpeechScorer:
    """The scorer SPEECH_PROVIDER=spec names, the other settings from the environment."""
    return build_speech_scorer(Settings(speech_provider=spec), PrometheusMetrics())


async def run(scorer: SpeechScorer, dataset: Dataset) -> Report:
    """Every utterance scored against its text (timed), and each clip of a pair whose
    erroneous clip says a known other text against that one too."""
    said = {u.pair: u.said for u in dataset.utterances if u.pair and u.said}
    scored, failures = [], 0
    for utterance in dataset.utterances:
        audio = await asyncio.to_thread(decode_to_pcm, utterance.audio.read_bytes())
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            result = await scorer.score(audio, utterance.text, LANGUAGE)
        except DomainError:
            failures += 1
            continue
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        against_said = None
        if other := said.get(utterance.pair):
            with contextlib.suppress(DomainError):  # that pair then counts once less
                against_said = await scorer.score(audio, other, LANGUAGE)
        scored.append(Scored(utterance, result, audio.duration_seconds, wall, cpu, against_said))
    return measure(scored, failures)


ROWS = [
    ("utterances scored (refused)", lambda r: f"{r.utterances} ({r.failures})"),
    (
        "pair discrimination, one clip: its own text scores above its twin's",
        lambda r: _n(r.text_discrimination),
    ),
    (
        "pair discrimination, two clips: correct scores above erroneous",
        lambda r: _n(r.pair_discrimination),
    ),
    ("erroneous words flagged", lambda r: _n(r.errors_flagged)),
    ("... whose wrong phone is named", lambda r: _n(r.wrong_phone_named)),
    ("... and the phone said instead too", lambda r: _n(r.heard_phone_named)),
    ("correctly said words flagged (false alarms)", lambda r: _n(r.false_alarms)),
    *(
        (
            f"{kind}: precision / recall",
            lambda r, kind=kind: " / ".join(
                _n(r.by_error_type.get(kind, {}).get(k)) for k in ("precision", "recall")
            ),
        )
        for kind in ("Mispronunciation", "Omission", "Insertion")
    ),
    *(
        (f"Pearson r, {level}", lambda r, level=level: _n(r.pearson.get(level)))
        for level in ("utterance accuracy", "utterance total", "word accuracy", "phone accuracy")
    ),
    ("real-time factor (CPU time)", lambda r: f"{_n(r.real_time_factor)} ({_n(r.cpu_rtf)})"),
]


def markdown(name: str, reports: dict[str, Report]) -> str:
    lines = [
        f"Data set: {name}",
        "",
        f"| measure | {' | '.join(reports)} |",
        f"| --- | {' | '.join('---:' for _ in reports)} |",
    ]
    for label, value in ROWS:
        lines.append(f"| {label} | {' | '.join(value(r) for r in reports.values())} |")
    return "\n".join(lines)


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--scorer", action="append", help="a SPEECH_PROVIDER value; repeatable")
    parser.add_argument("--split", help="tuning or held-out; train or test for speechocean762")
    parser.add_argument("--limit", type=int, help="score only the first N utterances")
    parser.add_argument("--out", type=Path, help="folder for scoring.json and scoring.md")
    args = parser.parse_args(argv)
    try:
        dataset = load_dataset(args.dataset, args.split)
    except DatasetError as exc:
        parser.error(str(exc))
    if args.limit is not None:
        dataset = Dataset(dataset.name, dataset.utterances[: args.limit])
    reports = {}
    for spec in args.scorer or [DEFAULT_SCORER]:
        try:
            scorer = build_scorer(spec)
        except (ValueError, DomainError) as exc:
            parser.error(f"scorer {spec!r} cannot be built: {exc}")
        reports[spec] = asyncio.run(run(scorer, dataset))
    name = f"{dataset.name}{f', {args.split}' if args.split else ''}"
    table = markdown(name, reports)
    print(table)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        document = {"dataset": name, "scorers": {k: asdict(r) for k, r in reports.items()}}
        (args.out / "scoring.json").write_text(json.dumps(document, indent=2) + "\n")
        (args.out / "scoring.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
