"""python -m evaluation.scoring on a tiny data set in speechocean762's published layout, made
here from eSpeak NG clips, and on broken input."""

import asyncio
import json
from pathlib import Path

import pytest

from adapters.speech.codec import decode_to_pcm, encode_wav
from adapters.speech.espeak import EspeakSynthesizer
from evaluation.datasets import DatasetError, load_dataset
from evaluation.scoring import main
from ports.scoring import WordError
from tests.contract.test_plugged_in_scorer import PLUG_IN, on_path

# (utterance, speaker, split, text, accuracy, words as (text, accuracy, phones, phone
# accuracies, mispronunciations)); speechocean762 writes its texts in capitals.
UTTERANCES = [
    (
        "000010011",
        "0001",
        "test",
        "WE CALL IT BEAR",
        7,
        [
            ("WE", 10, ["W", "IY0"], [2, 2], []),
            ("CALL", 8, ["K", "AO0", "L"], [2, 1, 2], []),
            ("IT", 10, ["IH0", "T"], [2, 2], []),
            (
                "BEAR",
                3,
                ["B", "EH0", "R"],
                [2, 0, 2],
                [{"canonical-phone": "EH", "index": 1, "pronounced-phone": "IY"}],
            ),
        ],
    ),
    (
        "000010053",
        "0001",
        "test",
        "THREE TWO SEVEN",
        9,
        [
            (
                "THREE",
                6,
                ["TH", "R", "IY0"],
                [0, 2, 2],
                [{"canonical-phone": "TH", "index": 0, "pronounced-phone": "S"}],
            ),
            ("TWO", 10, ["T", "UW0"], [2, 2], []),
            ("SEVEN", 10, ["S", "EH0", "V", "AH0", "N"], [2, 2, 2, 2, 2], []),
        ],
    ),
    (
        "000030012",
        "0003",
        "test",
        "MARK IS GOING TO SEE ELEPHANT",
        5,
        [
            ("MARK", 10, ["M", "AA0", "R", "K"], [2, 2, 2, 2], []),
            ("IS", 10, ["IH0", "Z"], [2, 2], []),
            ("GOING", 10, ["G", "OW0", "IH0", "NG"], [2, 2, 2, 2], []),
            ("TO", 10, ["T", "UW0"], [2, 2], []),
            ("SEE", 10, ["S", "IY0"], [2, 2], []),
            (
                "ELEPHANT",
                4,
                ["EH1", "L", "IH0", "F", "AH0", "N", "T"],
                [2, 2, 2, 1, 2, 2, 0],
                [{"canonical-phone": "T", "index": 6, "pronounced-phone": "<DEL>"}],
            ),
        ],
    ),
    (
        "000050003",
        "0005",
        "train",
        "I LIKE IT",
        8,
        [
            ("I", 10, ["AY0"], [2], []),
            ("LIKE", 8, ["L", "AY0", "K"], [2, 2, 1], []),
            ("IT", 10, ["IH0", "T"], [2, 2], []),
        ],
    ),
]


@pytest.fixture(scope="module")
def speechocean(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("speechocean762")
    synthesizer = EspeakSynthesizer()
    scores = {}
    for utt, speaker, split, text, accuracy, words in UTTERANCES:
        wav = Path("WAVE") / f"SPEAKER{speaker}" / f"{utt}.WAV"
        (root / wav).parent.mkdir(parents=True, exist_ok=True)
        speech = asyncio.run(synthesizer.synthesize(text.lower(), voice="en-us"))
        (root / wav).write_bytes(encode_wav(decode_to_pcm(speech.audio)))
        (root / split).mkdir(exist_ok=True)
        for name, value in (("text", text), ("wav.scp", str(wav)), ("utt2spk", speaker)):
            with (root / split / name).open("a") as table:
                table.write(f"{utt}\t{value}\n")
        scores[utt] = {
            "text": text,
            "accuracy": accuracy,
            "fluency": 9,
            "completeness": 10.0,
            "prosodic": 9,
            "total": accuracy - 0.5,
            "words": [
                {
                    "text": word,
                    "accuracy": word_accuracy,
                    "stress": 10,
                    "total": word_accuracy,
                    "phones": phones,
                    "phones-accuracy": phone_accuracies,
                    "mispronunciations": mispronunciations,
                }
                for word, word_accuracy, phones, phone_accuracies, mispronunciations in words
            ],
        }
    (root / "resource").mkdir()
    (root / "resource" / "scores.json").write_text(json.dumps(scores))
    return root


def test_reads_speechocean762_as_published(speechocean: Path) -> None:
    dataset = load_dataset(speechocean, "test")
    assert [u.id for u in dataset.utterances] == ["000010011", "000010053", "000030012"]
    bear = dataset.utterances[0]
    assert bear.text == "WE CALL IT BEAR" and bear.audio.is_file()
    assert bear.errors and bear.errors[0].reference_phone == "EH" and bear.errors[0].word == 3
    assert bear.errors[0].heard_phone == "IY"
    assert bear.human and bear.human.accuracy == 7 and bear.human.words[1].phones == [2, 1, 2]
    left_out = dataset.utterances[2].errors
    assert left_out and left_out[0].heard_phone is None  # <DEL>: the phone was left out
    assert [u.id for u in load_dataset(speechocean, "train").utterances] == ["000050003"]


def test_scores_a_split_and_writes_json_and_markdown(speechocean: Path, tmp_path: Path) -> None:
    main([str(speechocean), "--split", "test", "--scorer", "pocketsphinx", "--out", str(tmp_path)])
    document = json.loads((tmp_path / "scoring.json").read_text())
    assert document["dataset"] == "speechocean762, test"
    report = document["scorers"]["pocketsphinx"]
    assert report["utterances"] == 3 and report["failures"] == 0
    assert report["by_error_type"][WordError.MISPRONUNCIATION]["expected"] == 3
    for level in ("utterance accuracy", "utterance total", "word accuracy", "phone accuracy"):
        assert -1 <= report["pearson"][level] <= 1, level
    assert 0 < report["real_time_factor"] < 2
    table = (tmp_path / "scoring.md").read_text()
    assert "| Pearson r, word accuracy |" in table and "| pocketsphinx |" in table


def test_a_folder_that_is_no_data_set_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"utterances": [{"id": "x"}]}')
    with pytest.raises(DatasetError):
        load_dataset(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main([str(tmp_path)])
    assert exit_.value.code == 2


def test_an_unknown_scorer_is_a_usage_error(speechocean: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([str(speechocean), "--scorer", "no-such-scorer", "--limit", "1"])
    assert exit_.value.code == 2


def test_a_plugged_in_scorer_is_evaluated_beside_the_built_in_one(
    speechocean: Path, tmp_path: Path
) -> None:
    """A researcher's scorer, named as package.module:Factory with its folder on the path (as
    PYTHONPATH puts it), scored in the same run as Parla's own."""
    plug_in = "parla_template_scorer:TemplateScorer"
    with on_path(PLUG_IN):
        main(
            [str(speechocean), "--split", "test", "--out", str(tmp_path)]
            + ["--scorer", "pocketsphinx", "--scorer", plug_in]
        )
    scorers = json.loads((tmp_path / "scoring.json").read_text())["scorers"]
    assert set(scorers) == {"pocketsphinx", plug_in}
    for report in scorers.values():
        assert report["utterances"] == 3 and report["failures"] == 0
    table = (tmp_path / "scoring.md").read_text()
    assert f"| {plug_in} |" in table and "| pocketsphinx |" in table
