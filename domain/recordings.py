"""A learner's uploaded recording: the limits every speech endpoint applies, decoding, and
transcription."""

from domain.errors import InvalidInput, PayloadTooLarge
from domain.languages import language_tag, primary_language
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


async def transcribe_recording(
    data: bytes,
    language: str | None,
    task: RecognitionTask,
    decoder: AudioDecoder,
    recognizer: SpeechRecognizer,
) -> Transcript:
    """What the recording says (or its English translation, for TRANSLATE). `language` is any
    tag of the language spoken ("en", "en-US", "en_US"); the recognizer is given its ISO
    639-1 code."""
    if language is not None:
        language = primary_language(language_tag(language))
        if len(language) != 2:
            raise InvalidInput(
                "language must be a language with a two-letter ISO 639-1 code, such as en, "
                "en-US or ur",
                {"field": "language"},
            )
    audio = await decode_recording(data, decoder)
    return await recognizer.transcribe(audio, language=language, task=task)
