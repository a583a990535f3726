"""Synthesized speech, cached: tutors say the same greetings, prompts and model sentences
again and again, and synthesis is the slow part of a reply (002's "cache TTS audio")."""

import hashlib
import json
from collections.abc import AsyncIterator

from domain.errors import InvalidInput
from ports.cache import Cache
from ports.speech import STREAM_MEDIA_TYPE, SpeechSynthesizer, SynthesizedSpeech, Voice

TTL_SECONDS = 7 * 24 * 3600
MIN_SPEED, MAX_SPEED = 0.5, 2.0
MAX_SYNTHESIS_CHARS = 2000


async def check_voice(synthesizer: SpeechSynthesizer, voice: str | None, speed: float) -> None:
    """Raises InvalidInput for a voice the synthesizer lacks or a speed out of range, before
    any work is done or stored."""
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidInput(f"speed must be {MIN_SPEED} to {MAX_SPEED}", {"field": "speed"})
    if voice is not None and voice not in {v.id for v in await synthesizer.voices()}:
        raise InvalidInput(f"Unknown voice {voice!r}; see GET /speech/voices", {"field": "voice"})


async def check_synthesis(
    synthesizer: SpeechSynthesizer, text: str, voice: str | None, speed: float
) -> str:
    """The text to speak, whitespace normalized, once text, voice and speed are valid."""
    text = " ".join(text.split())
    if not 1 <= len(text) <= MAX_SYNTHESIS_CHARS:
        raise InvalidInput(f"text must be 1 to {MAX_SYNTHESIS_CHARS} characters", {"field": "text"})
    await check_voice(synthesizer, voice, speed)
    return text


def cache_key(provider: str, kind: str, text: str, voice: str | None, speed: float) -> str:
    digest = hashlib.sha256(json.dumps([provider, voice, speed, text]).encode()).hexdigest()
    return f"tts:{kind}:{digest}"


def _pack(speech: SynthesizedSpeech) -> bytes:
    header = json.dumps({"media_type": speech.media_type, "sample_rate": speech.sample_rate})
    return header.encode() + b"\n" + speech.audio


def _unpack(value: bytes) -> SynthesizedSpeech:
    header, audio = value.split(b"\n", 1)
    meta = json.loads(header)
    return SynthesizedSpeech(audio, meta["media_type"], meta["sample_rate"])


class CachedSpeechSynthesizer:
    """A SpeechSynthesizer that remembers what it said, keyed by (provider, voice, speed,
    text). A streamed reply is cached whole once it has been streamed to the end."""

    def __init__(self, synthesizer: SpeechSynthesizer, cache: Cache) -> None:
        self._synthesizer = synthesizer
        self._cache = cache
        self.provider = synthesizer.provider

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        key = cache_key(self.provider, "whole", text, voice, speed)
        if (hit := await self._cache.get(key)) is not None:
            return _unpack(hit)
        speech = await self._synthesizer.synthesize(text, voice=voice, speed=speed)
        await self._cache.set(key, _pack(speech), TTL_SECONDS)
        return speech

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        key = cache_key(self.provider, STREAM_MEDIA_TYPE, text, voice, speed)
        if (hit := await self._cache.get(key)) is not None:
            yield hit
            return
        chunks = []
        async for chunk in self._synthesizer.stream(text, voice=voice, speed=speed):
            chunks.append(chunk)
            yield chunk
        await self._cache.set(key, b"".join(chunks), TTL_SECONDS)

    async def voices(self) -> list[Voice]:
        return await self._synthesizer.voices()
