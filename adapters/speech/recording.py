"""What of a recording the offline scorer decodes: 16 kHz PCM that holds usable speech,
trimmed to its loud part within a margin of quiet."""

import numpy as np

from domain.errors import InvalidInput, Unprocessable
from ports.scoring import PcmAudio

SAMPLE_RATE = 16000
FRAME_RATE = 100  # PocketSphinx frames per second
SAMPLES_PER_FRAME = SAMPLE_RATE // FRAME_RATE

# Usable audio: this much speech, some of it voiced (noise and hum have no speech-like pitch).
MIN_SPEECH_SECONDS = 0.3
_MIN_VOICED_SECONDS = 0.1
_VOICED_MIN_POWER = 100.0  # mean squared sample value, about -50 dBFS
_VOICED_PERIODICITY = 0.5  # normalized autocorrelation peak at the pitch period
# The audio is trimmed to its loud part plus a margin of quiet, padded with faint noise where
# the recording has less: PocketSphinx estimates noise from the first frames and models the
# silence around words, and long silences only cost decoding time.
MARGIN_SECONDS = 0.2
_QUIET_BELOW_PEAK_DB = 40.0
_DITHER = 2.0  # standard deviation of the padding, in 16-bit sample units


def usable_speech(audio: PcmAudio) -> bytes:
    """The PCM to decode; Unprocessable when the recording cannot hold usable speech."""
    if audio.sample_rate != SAMPLE_RATE:
        raise InvalidInput(f"Audio must be {SAMPLE_RATE} Hz PCM.", {"field": "audio"})
    samples = np.frombuffer(audio.samples, dtype="<i2")
    if len(samples) < MIN_SPEECH_SECONDS * SAMPLE_RATE:
        raise Unprocessable(
            f"The recording is too short: less than {MIN_SPEECH_SECONDS} s.",
            {"seconds": round(audio.duration_seconds, 2)},
        )
    if _voiced_seconds(samples) < _MIN_VOICED_SECONDS:
        raise Unprocessable("The recording holds no speech.")
    return _prepare(samples)


def _voiced_seconds(samples: np.ndarray) -> float:
    """Duration of the frames with some energy and a clear pitch period (70-400 Hz)."""
    window, hop = 3 * SAMPLES_PER_FRAME, SAMPLES_PER_FRAME
    n = (len(samples) - window) // hop
    if n <= 0:
        return 0.0
    frames = samples[np.arange(window)[None, :] + hop * np.arange(n)[:, None]].astype(np.float64)
    frames -= frames.mean(axis=1, keepdims=True)
    autocorrelation = np.fft.irfft(np.abs(np.fft.rfft(frames, 2 * window)) ** 2)[:, :window]
    energy = autocorrelation[:, 0]
    lags = slice(SAMPLE_RATE // 400, SAMPLE_RATE // 70)
    periodicity = autocorrelation[:, lags].max(axis=1) / np.maximum(energy, 1e-9)
    voiced = (energy > _VOICED_MIN_POWER * window) & (periodicity > _VOICED_PERIODICITY)
    return int(voiced.sum()) / FRAME_RATE


def _prepare(samples: np.ndarray) -> bytes:
    """The loud part of the recording within a margin of quiet, as 16-bit PCM."""
    usable = samples[: len(samples) // SAMPLES_PER_FRAME * SAMPLES_PER_FRAME]
    power = (usable.astype(np.float64).reshape(-1, SAMPLES_PER_FRAME) ** 2).mean(axis=1)
    loud = np.flatnonzero(power > power.max() * 10 ** (-_QUIET_BELOW_PEAK_DB / 10))
    margin = int(MARGIN_SECONDS * SAMPLE_RATE)
    first, last = int(loud[0]) * SAMPLES_PER_FRAME, (int(loud[-1]) + 1) * SAMPLES_PER_FRAME
    start, end = max(0, first - margin), min(len(samples), last + margin)
    rng = np.random.default_rng(0)  # fixed: the same recording always scores the same
    before, after = (
        np.clip(rng.normal(0.0, _DITHER, n), -32768, 32767).astype("<i2")
        for n in (margin - (first - start), margin - (end - last))
    )
    return np.concatenate([before, samples[start:end], after]).tobytes()
