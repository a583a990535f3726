"""Scoring data sets as the evaluation reads them: a folder of recordings, their reference
texts, and optionally what a listener found in them (expected errors, human scores).

Two layouts are read:

- Parla's: `manifest.json` beside the audio, as `python -m evaluation.l2_errors` writes it:
  `{"name": ..., "utterances": [{"id", "audio" (a path inside the folder), "text",
  "split"?, "pair"?, "said"?, "errors"?: [{"word", "error_type", "reference_phone"?,
  "heard_phone"?}],
  "human"?: {"accuracy"?, "total"?, "words"?: [{"accuracy", "phones"?: [...]}]}}]}`.
  `errors` absent means unlabelled; `[]` means said correctly. Utterances sharing a `pair`
  are the same sentence said correctly and with errors; `said` is what an erroneous one says
  instead, written out ("I sink so" for "I think so"), to score both clips against.
- speechocean762 as published: `WAVE/SPEAKERnnnn/*.WAV`, `train/` and `test/` with Kaldi's
  `text` and `wav.scp`, and `resource/scores.json` (per utterance accuracy, fluency,
  completeness, prosodic and total, 0-10; per word accuracy and total 0-10, phones with
  stress digits, phones-accuracy 0-2 and mispronunciations with canonical and pronounced
  phones). Its split is `train` or `test` (published results are on `test`).
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ports.scoring import WordError


class DatasetError(ValueError):
    """A folder that is not a data set in a layout this module reads, or a broken one."""


@dataclass(frozen=True)
class ExpectedError:
    word: int  # index among the reference words (adapters.speech.miscues.reference_words)
    error_type: WordError
    reference_phone: str | None = None  # ARPAbet, without stress
    heard_phone: str | None = None  # what was said instead; None for a phone left out


@dataclass(frozen=True)
class HumanWord:
    accuracy: float
    phones: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class HumanScores:
    accuracy: float | None = None
    total: float | None = None
    words: list[HumanWord] = field(default_factory=list)


@dataclass(frozen=True)
class Utterance:
    id: str
    audio: Path
    text: str
    split: str | None = None
    pair: str | None = None
    said: str | None = None  # the text as an erroneous clip says it
    errors: list[ExpectedError] | None = None  # None: unlabelled; []: said correctly
    human: HumanScores | None = None

    @property
    def correct(self) -> bool:
        return self.errors == []


@dataclass(frozen=True)
class Dataset:
    name: str
    utterances: list[Utterance]


MANIFEST = "manifest.json"
_STRESS = re.compile(r"\d$")


def load_dataset(folder: Path, split: str | None = None) -> Dataset:
    """The utterances of the data set in `folder`, only those of `split` when given."""
    if (folder / MANIFEST).is_file():
        dataset = _parla(folder)
    elif (folder / "resource" / "scores.json").is_file():
        dataset = _speechocean(folder, split or "test")
    else:
        raise DatasetError(
            f"{folder} holds neither {MANIFEST} nor speechocean762's resource/scores.json"
        )
    if split is not None:
        dataset = Dataset(dataset.name, [u for u in dataset.utterances if u.split == split])
    if not dataset.utterances:
        raise DatasetError(f"{folder} has no utterances{f' in split {split!r}' if split else ''}")
    return dataset


def _parla(folder: Path) -> Dataset:
    try:
        document = json.loads((folder / MANIFEST).read_text())
        utterances = [_utterance(folder, entry) for entry in document["utterances"]]
        return Dataset(str(document.get("name", folder.name)), utterances)
    except (KeyError, TypeError, ValueError) as exc:
        raise DatasetError(f"{folder / MANIFEST} is not a scoring manifest: {exc!r}") from exc


def _utterance(folder: Path, entry: dict) -> Utterance:
    errors = entry.get("errors")
    human = entry.get("human")
    return Utterance(
        id=str(entry["id"]),
        audio=_inside(folder, entry["audio"]),
        text=str(entry["text"]),
        split=_optional_text(entry, "split"),
        pair=_optional_text(entry, "pair"),
        said=_optional_text(entry, "said"),
        errors=None
        if errors is None
        else [
            ExpectedError(
                int(e["word"]),
                WordError(e["error_type"]),
                e.get("reference_phone"),
                e.get("heard_phone"),
            )
            for e in errors
        ],
        human=None
        if human is None
        else HumanScores(
            human.get("accuracy"),
            human.get("total"),
            [HumanWord(float(w["accuracy"]), list(w.get("phones", []))) for w in human["words"]],
        ),
    )


def _optional_text(entry: dict, key: str) -> str | None:
    value = entry.get(key)
    return None if value is None else str(value)


def _inside(folder: Path, relative: str) -> Path:
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise DatasetError(f"{relative!r} is not an audio file inside {folder}")
    return path


def _speechocean(folder: Path, split: str) -> Dataset:
    if split not in ("train", "test"):
        raise DatasetError(f"speechocean762's splits are train and test, not {split!r}")
    try:
        scores = json.loads((folder / "resource" / "scores.json").read_text())
        texts = _kaldi_table(folder / split / "text")
        audio = _kaldi_table(folder / split / "wav.scp")
        utterances = [
            _speechocean_utterance(folder, utt, texts[utt], audio[utt], scores[utt], split)
            for utt in sorted(texts)
        ]
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise DatasetError(f"{folder} is not speechocean762's layout: {exc!r}") from exc
    return Dataset("speechocean762", utterances)


def _kaldi_table(path: Path) -> dict[str, str]:
    """Kaldi's `key value...` lines (text, wav.scp)."""
    table = {}
    for line in path.read_text().splitlines():
        if parts := line.split(maxsplit=1):
            table[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    return table


def _speechocean_utterance(
    folder: Path, utt: str, text: str, wav: str, scores: dict, split: str
) -> Utterance:
    words = scores["words"]
    errors = []
    for i, word in enumerate(words):
        for m in word.get("mispronunciations", []):
            pronounced = m["pronounced-phone"]
            heard = None if pronounced.upper() == "<DEL>" else _STRESS.sub("", pronounced)
            errors.append(
                ExpectedError(
                    i,
                    WordError.MISPRONUNCIATION,
                    _STRESS.sub("", m["canonical-phone"]),
                    None if heard == "<unk>" else heard,
                )
            )
    return Utterance(
        id=utt,
        audio=_inside(folder, wav),
        text=text,
        split=split,
        errors=errors,
        human=HumanScores(
            float(scores["accuracy"]),
            float(scores["total"]),
            [
                HumanWord(float(w["accuracy"]), [float(p) for p in w["phones-accuracy"]])
                for w in words
            ],
        ),
    )
