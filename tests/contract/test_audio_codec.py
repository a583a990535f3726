"""adapters.speech.codec: MP3 encoding, and decoding of what browsers record (bundled ffmpeg)."""

import array
import io
import math
import os
import subprocess
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import pytest

from adapters.speech import codec
from adapters.speech.codec import decode_to_pcm, encode_mp3
from adapters.speech.espeak import EspeakSynthesizer
from domain.errors import InvalidInput
from ports.scoring import PcmAudio

SENTENCE = "I would like a cup of tea and a slice of lemon cake, please."

# ffmpeg output options for each format, as a browser or phone would produce it.
FORMATS = {
    "wav-44k-stereo": ["-ac", "2", "-ar", "44100", "-c:a", "pcm_s16le", "speech.wav"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "64k", "speech.mp3"],
    "ogg-opus": ["-ar", "48000", "-c:a", "libopus", "speech.ogg"],
    "webm-opus": ["-ar", "48000", "-c:a", "libopus", "speech.webm"],
    "m4a-aac": ["-ar", "44100", "-c:a", "aac", "speech.m4a"],  # index at the end: not streamable
}

# Broken inputs, made from a valid WAV.
CORRUPT: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda wav: b"",
    "text": lambda wav: b"this is not audio at all " * 40,
    "zeros": lambda wav: bytes(4096),
    "header-only-wav": lambda wav: wav[:44],
    "truncated-mp3": lambda wav: encode_mp3(wav)[:12],
}


@pytest.fixture(scope="module")
async def speech_wav() -> bytes:
    return (await EspeakSynthesizer().synthesize(SENTENCE)).audio


def wav_duration(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as reader:
        return reader.getnframes() / reader.getframerate()


def rms(audio: PcmAudio) -> float:
    samples = array.array("h", audio.samples)
    return math.sqrt(sum(s * s for s in samples) / len(samples))


def convert(wav: bytes, output_options: list[str], directory: Path) -> bytes:
    """`wav` converted by the bundled ffmpeg, as a file (M4A needs a seekable output)."""
    *options, name = output_options
    target = directory / name
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "wav", "-i", "pipe:0"]
        + [*options, str(target)],
        input=wav,
        check=True,
    )
    return target.read_bytes()


def test_mp3_round_trip_keeps_the_duration(speech_wav: bytes) -> None:
    mp3 = encode_mp3(speech_wav)

    assert mp3[:3] == b"ID3" or (mp3[0] == 0xFF and mp3[1] & 0xE0 == 0xE0)  # tag or frame sync
    assert len(mp3) < len(speech_wav) / 3
    decoded = decode_to_pcm(mp3)
    assert decoded.sample_rate == 16000
    assert len(decoded.samples) == round(decoded.duration_seconds * 16000) * 2
    # The MP3 encoder adds up to a few dozen milliseconds of padding.
    assert decoded.duration_seconds == pytest.approx(wav_duration(speech_wav), abs=0.15)
    assert rms(decoded) > 300


def test_mp3_bitrate_sets_the_size(speech_wav: bytes) -> None:
    assert len(encode_mp3(speech_wav, "32k")) < len(encode_mp3(speech_wav, "128k")) / 2


@pytest.mark.parametrize("output_options", FORMATS.values(), ids=FORMATS.keys())
def test_decodes_recorded_formats_to_mono_pcm(
    speech_wav: bytes, output_options: list[str], tmp_path: Path
) -> None:
    recorded = convert(speech_wav, output_options, tmp_path)

    decoded = decode_to_pcm(recorded)

    assert decoded.sample_rate == 16000
    assert decoded.duration_seconds == pytest.approx(wav_duration(speech_wav), abs=0.15)
    assert rms(decoded) > 300


def test_decodes_to_the_requested_rate(speech_wav: bytes) -> None:
    decoded = decode_to_pcm(speech_wav, sample_rate=8000)

    assert decoded.sample_rate == 8000
    assert len(decoded.samples) / 2 / 8000 == pytest.approx(wav_duration(speech_wav), abs=0.01)


@pytest.mark.parametrize("corrupt", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_audio_is_invalid_input(
    speech_wav: bytes, corrupt: Callable[[bytes], bytes]
) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_to_pcm(corrupt(speech_wav))

    assert raised.value.message.startswith("Audio")


@pytest.mark.parametrize("data", [b"", b"RIFF", b"not a wav file" * 10])
def test_encoding_anything_but_wav_is_invalid_input(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        encode_mp3(data)


def test_leaves_no_temporary_files(
    speech_wav: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = [convert(speech_wav, options, tmp_path) for options in FORMATS.values()]
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # Python's tempfile (what pydub would use) writes here, and nothing else does.
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))

    encode_mp3(speech_wav)
    for data in recorded:
        decode_to_pcm(data)
    for broken in (b"junk" * 100, speech_wav[:44]):
        with pytest.raises(InvalidInput):
            decode_to_pcm(broken)
    with pytest.raises(InvalidInput):
        encode_mp3(b"junk")

    assert os.listdir(scratch) == []
    # ffmpeg's cache protocol writes to /tmp whatever TMPDIR says, and unlinks its file at once.
    assert not list(Path("/tmp").glob("ffcache*"))


def test_pcm_wav_at_the_target_rate_decodes_without_ffmpeg(monkeypatch):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x01\x00" * 16000)

    def no_ffmpeg(*args: object) -> bytes:
        raise AssertionError("ffmpeg was started")

    monkeypatch.setattr(codec, "_ffmpeg", no_ffmpeg)
    audio = decode_to_pcm(buffer.getvalue())
    assert audio.samples == b"\x01\x00" * 16000 and audio.duration_seconds == 1.0
