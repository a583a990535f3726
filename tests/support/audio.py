"""Recordings that tests upload."""

import io
import wave


def silence(seconds: float) -> bytes:
    """A 16 kHz mono WAV of digital silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * int(16000 * seconds))
    return buffer.getvalue()
