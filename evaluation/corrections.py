"""How well the grammar checker corrects learners' sentences: `python -m evaluation.corrections`.

The set (evaluation/data/learner_errors.tsv) holds erroneous sentences, each labelled with the
type of its error and one or more gold corrections, and correct sentences in British,
American or either spelling. A fixed split keeps about 40% of every type held out: rules are
tuned on the tuning part only. For each part it reports the share of erroneous sentences fully
corrected (the corrected text equals a gold correction, ignoring runs of whitespace and the
case of the first letter), by error type; the share of correct sentences changed (each checked
for a learner of its own spelling, either-spelling ones for a British learner); and the
British spellings flagged for a British learner. Erroneous sentences are checked for a British
learner, the default. It writes JSON and Markdown."""

import argparse
import asyncio
import csv
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from domain.corrections import corrected_text, corrections_of
from ports.grammar import CorrectionKind, Dialect, GrammarChecker

DATA = Path(__file__).parent / "data" / "learner_errors.tsv"
RESULTS = Path(__file__).parent / "results"
SPLITS = ("heldout", "tuning")


@dataclass(frozen=True)
class Item:
    id: int
    split: str
    type: str
    spelling: str
    """"british", "american" or "-" (either) for a correct sentence; "-" for an erroneous one."""
    sentence: str
    corrections: tuple[str, ...]

    @property
    def is_correct(self) -> bool:
        return self.type == "correct"

    @property
    def dialect(self) -> Dialect:
        return Dialect.AMERICAN if self.spelling == "american" else Dialect.BRITISH


def read_items(path: Path = DATA) -> list[Item]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Item(
                id=int(row["id"]),
                split=row["split"],
                type=row["type"],
                spelling=row["spelling"],
                sentence=row["sentence"],
                corrections=tuple(c.strip() for c in row["corrections"].split(" || ")),
            )
            for row in csv.DictReader(f, delimiter="\t")
        ]


def normalized(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].lower() + text[1:]


@dataclass(frozen=True)
class Outcome:
    item: Item
    corrected: str
    kinds: tuple[str, ...]

    @property
    def fully_corrected(self) -> bool:
        return normalized(self.corrected) in {normalized(c) for c in self.item.corrections}

    @property
    def changed(self) -> bool:
        return normalized(self.corrected) != normalized(self.item.sentence)


async def run(checker: GrammarChecker, items: list[Item]) -> list[Outcome]:
    outcomes = []
    for item in items:
        corrections = corrections_of(await checker.check(item.sentence, item.dialect))
        outcomes.append(
            Outcome(
                item, corrected_text(item.sentence, corrections), tuple(c.kind for c in corrections)
            )
        )
    return outcomes


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def summary(outcomes: list[Outcome]) -> dict:
    erroneous = [o for o in outcomes if not o.item.is_correct]
    correct = [o for o in outcomes if o.item.is_correct]
    british = [o for o in correct if o.item.spelling == "british"]
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    for o in erroneous:
        by_type[o.item.type].append(o)
    return {
        "erroneous": len(erroneous),
        "fully_corrected": _share(sum(o.fully_corrected for o in erroneous), len(erroneous)),
        "correct": len(correct),
        "correct_changed": _share(sum(o.changed for o in correct), len(correct)),
        "british_sentences": len(british),
        "british_spellings_flagged": sum(CorrectionKind.SPELLING in o.kinds for o in british),
        "by_type": {
            t: {
                "sentences": len(found),
                "fully_corrected": _share(sum(o.fully_corrected for o in found), len(found)),
            }
            for t, found in sorted(by_type.items())
        },
    }


def markdown(report: dict) -> str:
    parts = report["parts"]
    lines = [
        f"Checker: `{report['provider']}`, {report['seconds']} s for "
        f"{report['sentences']} sentences.",
        "",
        "| | held out | tuning |",
        "| --- | --- | --- |",
    ]
    rows = [
        ("erroneous sentences fully corrected", "fully_corrected", True),
        ("correct sentences changed", "correct_changed", True),
        ("British spellings flagged for a British learner", "british_spellings_flagged", False),
    ]
    for label, key, share in rows:
        cells = [f"{parts[p][key]:.0%}" if share else str(parts[p][key]) for p in SPLITS]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    counts = [f"{parts[p]['erroneous']} + {parts[p]['correct']}" for p in SPLITS]
    lines.append(f"| sentences (erroneous + correct) | {' | '.join(counts)} |")
    lines += ["", "| error type | held out | tuning |", "| --- | --- | --- |"]
    for t in parts["tuning"]["by_type"]:
        cells = []
        for p in SPLITS:
            found = parts[p]["by_type"].get(t)
            cells.append(
                f"{found['fully_corrected']:.0%} of {found['sentences']}" if found else "-"
            )
        lines.append(f"| {t} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


async def evaluate(checker: GrammarChecker, items: list[Item]) -> tuple[dict, list[Outcome]]:
    started = time.perf_counter()
    outcomes = await run(checker, items)
    report = {
        "provider": checker.provider,
        "sentences": len(items),
        "seconds": round(time.perf_counter() - started, 1),
        "parts": {p: summary([o for o in outcomes if o.item.split == p]) for p in SPLITS},
    }
    return report, outcomes


def main() -> None:
    from adapters.grammar.harper import HarperGrammarChecker
    from deployments.providers import build_grammar_checker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON and Markdown go")
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument(
        "--checker",
        choices=["learner", "rules", "harper"],
        default="learner",
        help="the product's checker (default), its rules alone, or Harper alone",
    )
    parser.add_argument(
        "--misses", action="store_true", help="print the tuning part's misses and changes"
    )
    args = parser.parse_args()
    items = [i for i in read_items() if args.split in ("all", i.split)]
    checker = {
        "learner": build_grammar_checker,
        "rules": lambda: build_grammar_checker(frozenset()),
        "harper": HarperGrammarChecker,
    }[args.checker]()
    report, outcomes = asyncio.run(evaluate(checker, items))
    if args.misses:
        for o in outcomes:
            if o.item.split == "tuning" and (
                o.item.is_correct == o.changed or not o.item.is_correct and not o.fully_corrected
            ):
                print(f"{o.item.type}\t{o.item.sentence}\t->\t{o.corrected}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "corrections.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "corrections.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
