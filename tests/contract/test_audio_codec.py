"""adapters.speech.codec: MP3 encoding, and decoding of what browsers record (PyAV)."""

import array
import io
import math
import os
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.speech import codec
from adapters.speech.codec import decode_to_pcm, encode_mp3
from adapters.speech.espeak import EspeakSynthesizer
from domain.errors import InvalidInput
from ports.scoring import PcmAudio
from tests.support.audio import recorded

SENTENCE = "I would like a cup of tea and a slice of lemon cake, please."

# Container format, codec, rate and layout of each format, as a browser or phone records it.
FORMATS = {
    "wav-44k-stereo": ("wav", "pcm_s16le", 44100, "stereo"),
    "mp3": ("mp3", "libmp3lame", None, "mono"),
    "ogg-opus": ("ogg", "libopus", 48000, "mono"),
    "webm-opus": ("webm", "libopus", 48000, "mono"),
    "m4a-aac": ("ipod", "aac", 44100, "mono"),  # index at the end: not streamable
}

# Broken inputs, made from a valid WAV.
CORRUPT: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda wav: b"",
    "text": lambda wav: b"this is not audio at all " * 40,
    "zeros": lambda wav: bytes(4096),
    "header-only-wav": lambda wav: wav[:44],
    "truncated-mp3": lambda wav: encode_mp3(wav)[:12],
    "truncated-m4a": lambda wav: (m4a := recorded(wav, *FORMATS["m4a-aac"]))[: len(m4a) // 2],
    "m4a-header-on-mp3": lambda wav: recorded(wav, *FORMATS["m4a-aac"])[:32] + encode_mp3(wav),
    "riff-chunk-past-the-end": lambda wav: b"RIFF\0\x10\0\0WAVE" + b"junk" * 100,
    # Formats FFmpeg reads but uploads have no reason to be: refused before any parsing.
    "au-outside-the-whitelist": lambda wav: recorded(wav, "au", "pcm_s16be"),
    "playlist": lambda wav: b"#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
    "concat-list": lambda wav: b"ffconcat version 1.0\nfile /etc/passwd\n",
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


@pytest.mark.parametrize("recording", FORMATS.values(), ids=FORMATS.keys())
def test_decodes_recorded_formats_to_mono_pcm(
    speech_wav: bytes, recording: tuple[str, str, int | None, str]
) -> None:
    decoded = decode_to_pcm(recorded(speech_wav, *recording))

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


def test_a_truncated_stream_decodes_what_it_holds(speech_wav: bytes) -> None:
    webm = recorded(speech_wav, *FORMATS["webm-opus"])

    decoded = decode_to_pcm(webm[: len(webm) // 2])

    assert 0.3 * wav_duration(speech_wav) < decoded.duration_seconds < wav_duration(speech_wav)


@pytest.mark.parametrize("data", [b"", b"RIFF", b"not a wav file" * 10])
def test_encoding_anything_but_wav_is_invalid_input(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        encode_mp3(data)


def test_leaves_no_temporary_files(
    speech_wav: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recordings = [recorded(speech_wav, *recording) for recording in FORMATS.values()]
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # Python's tempfile (what pydub would use) writes here, and nothing else does.
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))

    encode_mp3(speech_wav)
    for data in recordings:
        decode_to_pcm(data)
    for broken in (b"junk" * 100, speech_wav[:44]):
        with pytest.raises(InvalidInput):
            decode_to_pcm(broken)
    with pytest.raises(InvalidInput):
        encode_mp3(b"junk")

    assert os.listdir(scratch) == []


def test_pcm_wav_at_the_target_rate_decodes_without_ffmpeg(monkeypatch):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x01\x00" * 16000)

    def no_ffmpeg(*args: object, **options: object) -> None:
        raise AssertionError("FFmpeg opened the file")

    monkeypatch.setattr(codec.av, "open", no_ffmpeg)
    audio = decode_to_pcm(buffer.getvalue())
    assert audio.samples == b"\x01\x00" * 16000 and audio.duration_seconds == 1.0
