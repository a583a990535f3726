"""Limits on an uploaded recording, shared by every use case that takes one."""

from domain.errors import InvalidInput, PayloadTooLarge
from ports.scoring import AudioDecoder, PcmAudio

MAX_AUDIO_BYTES = 10 * 1024 * 1024
# Azure's short-audio pronunciation assessment stops at 30 seconds; so do we.
MAX_AUDIO_SECONDS = 30.0


def check_recording(audio: bytes) -> None:
    """Cheap checks, before anything is decoded."""
    if not audio:
        raise InvalidInput("audio is empty", {"field": "audio"})
    if len(audio) > MAX_AUDIO_BYTES:
        raise PayloadTooLarge(
            f"audio exceeds {MAX_AUDIO_BYTES // (1024 * 1024)} MB", {"limit_bytes": MAX_AUDIO_BYTES}
        )


async def decode_recording(audio: bytes, decoder: AudioDecoder) -> PcmAudio:
    """The recording as PCM (decoded in memory, never stored), within the duration limit."""
    pcm = await decoder.decode(audio)
    if pcm.duration_seconds > MAX_AUDIO_SECONDS:
        raise PayloadTooLarge(
            f"audio is {pcm.duration_seconds:.1f} s long; the limit is {MAX_AUDIO_SECONDS:.0f} s",
            {"limit_seconds": MAX_AUDIO_SECONDS},
        )
    return pcm
