"""Recordings that tests upload."""

import io
import wave

import av


def silence(seconds: float) -> bytes:
    """A 16 kHz mono WAV of digital silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0" * int(16000 * seconds))
    return buffer.getvalue()


def recorded(
    wav: bytes,
    container_format: str,
    codec: str,
    rate: int | None = None,
    layout: str = "mono",
    options: dict[str, str] | None = None,
) -> bytes:
    """`wav` encoded with `codec` into a `container_format` file by the FFmpeg libraries the
    product decodes with, as a browser or phone would record it (at `rate`, `layout`)."""
    buffer = io.BytesIO()
    with av.open(io.BytesIO(wav), format="wav") as source:
        with av.open(buffer, "w", format=container_format, options=options or {}) as target:
            audio = source.streams.audio[0]
            stream = target.add_stream(codec, rate=rate or audio.rate, layout=layout)
            for frame in source.decode(audio):
                frame.pts = None  # the encoder resamples and numbers its own frames
                target.mux(stream.encode(frame))
            target.mux(stream.encode(None))
    return buffer.getvalue()


def silent_flac(seconds: float) -> bytes:
    """FLAC of digital silence at 8 kHz: an hour is about 650 KB."""
    rate, chunk = 8000, 8000 * 10
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="flac") as target:
        stream = target.add_stream("flac", rate=rate, layout="mono")
        left = int(seconds * rate)
        while left:
            frame = av.AudioFrame(format="s16", layout="mono", samples=min(chunk, left))
            frame.planes[0].update(bytes(frame.planes[0].buffer_size))
            frame.rate = rate
            target.mux(stream.encode(frame))
            left -= frame.samples
        target.mux(stream.encode(None))
    return buffer.getvalue()
