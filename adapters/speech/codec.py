"""Audio decoding and encoding with the ffmpeg binary shipped by imageio-ffmpeg.

Each call runs one ffmpeg process and blocks: callers run these functions in a thread.
ffmpeg is driven through pipes rather than through pydub, whose decoding probes the input with
ffprobe (imageio-ffmpeg ships none) and whose encoding goes through temporary files that it
leaves behind when ffmpeg fails."""

import asyncio
import io
import subprocess
import wave

import imageio_ffmpeg

from domain.errors import InvalidInput, ServiceUnavailable
from ports.scoring import PcmAudio

_FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
_TIMEOUT_SECONDS = 120
# The input is stdin only: the protocol whitelist stops an uploaded playlist or reference file
# from making ffmpeg open local files or URLs. "cache:" makes the pipe seekable, which M4A files
# with their index at the end need; ffmpeg unlinks its cache file as soon as it creates it.
_STDIN = ["-protocol_whitelist", "cache,pipe", "-read_ahead_limit", "-1", "-i", "cache:pipe:0"]
_ACCEPTED = "WAV, MP3, M4A/AAC, Ogg or WebM (Opus)"


def encode_mp3(wav: bytes, bitrate: str = "64k") -> bytes:
    """MP3 (constant `bitrate`) of a WAV file: bare MPEG frames without an ID3 tag, so that
    encodings of consecutive sentences concatenate into one playable stream."""
    args = ["-f", "wav", *_STDIN, "-map", "0:a:0", "-c:a", "libmp3lame", "-b:a", bitrate]
    return _ffmpeg(
        [*args, "-id3v2_version", "0", "-f", "mp3", "pipe:1"], wav, "Audio is not a valid WAV file."
    )


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
    args = [*_STDIN, "-map", "0:a:0", "-ac", "1", "-ar", str(sample_rate)]
    if max_bytes is not None:
        # ffmpeg stops reading and decoding once its output reaches a second past the limit
        # (-t) or the bytes of the limit (-fs, which may pass them by one packet).
        args += ["-t", str(max_seconds + 1), "-fs", str(max_bytes)]
    samples = _ffmpeg(
        [*args, "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1"],
        data,
        f"Audio cannot be decoded: send {_ACCEPTED}.",
    )
    return PcmAudio(samples[:max_bytes], sample_rate)


def _pcm_wav(data: bytes, sample_rate: int, max_bytes: int | None) -> PcmAudio | None:
    """The samples of a WAV that is already mono 16-bit PCM at `sample_rate`, read without
    starting ffmpeg (what most apps upload); None for anything else."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(data)) as wav:
            if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, sample_rate):
                return None
            frames = wav.getnframes()
            samples = wav.readframes(frames if max_bytes is None else min(frames, max_bytes // 2))
    except (wave.Error, EOFError):
        return None
    return PcmAudio(samples, sample_rate) if samples else None


class FfmpegAudioDecoder:
    """The AudioDecoder port: decoding runs in a worker thread (and an ffmpeg process)."""

    def __init__(self, sample_rate: int = 16000) -> None:
        self._sample_rate = sample_rate

    async def decode(self, data: bytes, max_seconds: float) -> PcmAudio:
        return await asyncio.to_thread(decode_to_pcm, data, self._sample_rate, max_seconds)


def _ffmpeg(args: list[str], stdin: bytes, failure: str) -> bytes:
    """ffmpeg's stdout; InvalidInput(`failure`) when it fails or outputs nothing."""
    command = [_FFMPEG, "-hide_banner", "-nostats", "-loglevel", "error", *args]
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, timeout=_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailable(f"ffmpeg took over {_TIMEOUT_SECONDS} s.") from exc
    if done.returncode == 0 and done.stdout:
        return done.stdout
    raise InvalidInput(failure, {"reason": _reason(done) if done.returncode else "no audio"})


def _reason(done: subprocess.CompletedProcess[bytes]) -> str:
    """ffmpeg's last error, without the cache protocol's harmless complaints about the pipe."""
    lines = done.stderr.decode(errors="replace").splitlines()
    errors = [line for line in lines if line.strip() and not line.startswith(("[cache", " "))]
    return errors[-1] if errors else f"ffmpeg exit status {done.returncode}"


def encode_wav(audio: PcmAudio) -> bytes:
    """A WAV file of the samples: what cloud recognizers accept without being told the format."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes(audio.samples)
    return buffer.getvalue()
