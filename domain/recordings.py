"""A learner's uploaded recording: the limits every speech endpoint applies, decoding, and
transcription."""

import re

from domain.errors import InvalidInput, PayloadTooLarge
from ports.scoring import AudioDecoder, PcmAudio
from ports.speech import RecognitionTask, SpeechRecognizer, Transcript

MAX_AUDIO_BYTES = 10 * 1024 * 1024
# Azure's short-audio recognition and pronunciation assessment stop at 30 seconds; so do we.
MAX_AUDIO_SECONDS = 30.0


def check_recording(data: bytes) -> None:
    """The cheap checks, before anything is decoded or any other work is done."""
    if not data:
        raise InvalidInput("audio is empty", {"field": "audio"})
    if len(data) > MAX_AUDIO_BYTES:
        raise PayloadTooLarge(
            f"audio exceeds {MAX_AUDIO_BYTES // (1024 * 1024)} MB", {"limit_bytes": MAX_AUDIO_BYTES}
        )


async def decode_recording(data: bytes, decoder: AudioDecoder) -> PcmAudio:
    """16 kHz mono PCM of the upload (decoded in memory, never stored). Raises InvalidInput
    for empty, corrupt or unsupported audio and PayloadTooLarge past the size or duration
    limit."""
    check_recording(data)
    audio = await decoder.decode(data, MAX_AUDIO_SECONDS)
    if audio.duration_seconds > MAX_AUDIO_SECONDS:
        raise PayloadTooLarge(
            f"audio is longer than {MAX_AUDIO_SECONDS:.0f} s", {"limit_seconds": MAX_AUDIO_SECONDS}
        )
    return audio


_ISO_639_1 = re.compile(r"^[a-z]{2}$")


async def transcribe_recording(
    data: bytes,
    language: str | None,
    task: RecognitionTask,
    decoder: AudioDecoder,
    recognizer: SpeechRecognizer,
) -> Transcript:
    """What the recording says (or its English translation, for TRANSLATE)."""
    if language is not None:
        language = language.strip().lower()
        if not _ISO_639_1.match(language):
            raise InvalidInput(
                "language must be an ISO 639-1 code such as en or ur", {"field": "language"}
            )
    audio = await decode_recording(data, decoder)
    return await recognizer.transcribe(audio, language=language, task=task)
