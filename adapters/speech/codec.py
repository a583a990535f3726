"""Audio decoding and encoding in process with PyAV (the FFmpeg libraries in its wheel).

The calls block and hold no process: callers run them in a worker thread. Input is read from
memory only, by a whitelisted demuxer, so an upload cannot name a file or URL for FFmpeg to
open (a playlist, a concat list, an MP4 data reference)."""

import asyncio
import io
import time
import wave
from collections.abc import Iterator
from itertools import chain

import av

from domain.errors import InvalidInput, ServiceUnavailable
from ports.scoring import PcmAudio

# What browsers and phones record (WAV, MP3, M4A/AAC, ADTS AAC, Ogg, WebM/Matroska) and
# FLAC. "mov" is the one demuxer of MP4, M4A and 3GP files.
_DEMUXERS = "wav,mp3,mov,aac,ogg,matroska,flac"
_OPEN_OPTIONS = {
    "format_whitelist": _DEMUXERS,
    # No protocol at all: the demuxer reads the in-memory buffer and may open nothing else.
    "protocol_whitelist": "none",
}
_ACCEPTED = "WAV, MP3, M4A/AAC, Ogg or WebM (Opus), or FLAC"
# Decoding is bounded by its output, but a stream of packets that decode to nothing is not.
_TIMEOUT_SECONDS = 120
_MP3 = "libmp3lame"


def encode_mp3(wav: bytes, bitrate: str = "64k") -> bytes:
    """MP3 (constant `bitrate`) of a WAV file: bare MPEG frames without an ID3 tag or an Info
    frame, so that encodings of consecutive sentences concatenate into one playable stream."""
    failure = "Audio is not a valid WAV file."
    try:
        with av.open(io.BytesIO(wav), format="wav", options=_OPEN_OPTIONS) as container:
            if not container.streams.audio:
                raise InvalidInput(failure, {"reason": "no audio stream"})
            stream = container.streams.audio[0]
            encoder = av.CodecContext.create(_MP3, "w")
            encoder.sample_rate = _mp3_rate(stream.codec_context.sample_rate)
            encoder.layout = "stereo" if stream.codec_context.channels > 1 else "mono"
            encoder.format = "s16p"
            encoder.bit_rate = _bits_per_second(bitrate)
            # The encoder converts each frame to its rate, layout and sample format.
            frames = chain(_decoded(container, stream), [None])  # None flushes the encoder
            mp3 = b"".join(bytes(p) for frame in frames for p in encoder.encode(frame))
    except av.FFmpegError as exc:
        raise InvalidInput(failure, {"reason": exc.strerror or str(exc)}) from exc
    if not mp3:
        raise InvalidInput(failure, {"reason": "no audio"})
    return mp3


def _mp3_rate(rate: int) -> int:
    """The MP3 sample rate nearest above `rate` (MP3 has nine, 8 to 48 kHz)."""
    rates = sorted(av.Codec(_MP3, "w").audio_rates or ())
    return next((r for r in rates if r >= rate), rates[-1])


def _bits_per_second(bitrate: str) -> int:
    return int(bitrate[:-1]) * 1000 if bitrate[-1:] in ("k", "K") else int(bitrate)


def decode_to_pcm(
    data: bytes, sample_rate: int = 16000, max_seconds: float | None = None
) -> PcmAudio:
    """Mono 16-bit PCM at `sample_rate` of audio in any format browsers record; with
    `max_seconds`, of at most that and one sample, decoding no further."""
    if not data:
        raise InvalidInput("Audio is empty.")
    max_bytes = None if max_seconds is None else (int(max_seconds * sample_rate) + 1) * 2
    if (pcm := _pcm_wav(data, sample_rate, max_bytes)) is not None:
        return pcm
    failure = f"Audio cannot be decoded: send {_ACCEPTED}."
    samples = bytearray()
    try:
        with av.open(io.BytesIO(data), options=_OPEN_OPTIONS) as container:
            if not container.streams.audio:
                raise InvalidInput(failure, {"reason": "no audio stream"})
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
            # None flushes the resampler; decoding stops once past the limit.
            for frame in chain(_decoded(container, stream), [None]):
                for out in resampler.resample(frame):
                    samples += bytes(out.planes[0])[: out.samples * 2]
                if max_bytes is not None and len(samples) > max_bytes:
                    break
    except av.FFmpegError as exc:  # ArgumentError: a format outside the whitelist
        raise InvalidInput(failure, {"reason": exc.strerror or str(exc)}) from exc
    except ValueError as exc:  # a stream whose rate or layout changes midway
        raise InvalidInput(failure, {"reason": str(exc)}) from exc
    if not samples:
        raise InvalidInput(failure, {"reason": "no audio"})
    return PcmAudio(bytes(samples[:max_bytes]), sample_rate)


def _decoded(
    container: av.container.InputContainer, stream: av.AudioStream
) -> Iterator[av.AudioFrame]:
    """The decoded frames of `stream`, skipping packets that fail to decode (as the ffmpeg
    command does), within the time limit."""
    deadline = time.monotonic() + _TIMEOUT_SECONDS
    for packet in container.demux(stream):
        if time.monotonic() > deadline:
            raise ServiceUnavailable(f"Decoding audio took over {_TIMEOUT_SECONDS} s.")
        try:
            yield from packet.decode()
        except av.InvalidDataError:
            continue


def _pcm_wav(data: bytes, sample_rate: int, max_bytes: int | None) -> PcmAudio | None:
    """The samples of a WAV that is already mono 16-bit PCM at `sample_rate`, read without
    FFmpeg (what most apps upload); None for anything else."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(data)) as wav:
            if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, sample_rate):
                return None
            frames = wav.getnframes()
            samples = wav.readframes(frames if max_bytes is None else min(frames, max_bytes // 2))
    except (wave.Error, EOFError, RuntimeError):  # RuntimeError: a chunk overruns the file
        return None
    return PcmAudio(samples, sample_rate) if samples else None


class PyAVAudioDecoder:
    """The AudioDecoder port: decoding runs in a worker thread."""

    def __init__(self, sample_rate: int = 16000) -> None:
        self._sample_rate = sample_rate

    async def decode(self, data: bytes, max_seconds: float) -> PcmAudio:
        return await asyncio.to_thread(decode_to_pcm, data, self._sample_rate, max_seconds)


def encode_wav(audio: PcmAudio) -> bytes:
    """A WAV file of the samples: what cloud recognizers accept without being told the format."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes(audio.samples)
    return buffer.getvalue()
