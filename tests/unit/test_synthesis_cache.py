"""Synthesized speech is cached by provider, voice, speed and text, whole and streamed."""

from domain.synthesis import CachedSpeechSynthesizer
from ports.speech import SynthesizedSpeech, Voice


class DictCache:
    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    async def get(self, key: str) -> bytes | None:
        return self.values.get(key)

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self.values[key] = value


class CountingVoice:
    provider = "counting"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, float]] = []

    async def synthesize(self, text, *, voice=None, speed=1.0) -> SynthesizedSpeech:
        self.calls.append((text, voice, speed))
        return SynthesizedSpeech(f"{text}|{voice}|{speed}".encode(), "audio/wav", 22050)

    async def stream(self, text, *, voice=None, speed=1.0):
        self.calls.append((text, voice, speed))
        for sentence in text.split(". "):
            yield sentence.encode()

    async def voices(self) -> list[Voice]:
        return [Voice("v1", "One", "en")]


async def test_the_same_request_is_synthesized_once():
    voice, cache = CountingVoice(), DictCache()
    cached = CachedSpeechSynthesizer(voice, cache)
    first = await cached.synthesize("Hello there", voice="v1", speed=1.0)
    again = await cached.synthesize("Hello there", voice="v1", speed=1.0)
    assert again == first and len(voice.calls) == 1
    await cached.synthesize("Hello there", voice="v1", speed=1.5)
    await cached.synthesize("Hello there", voice=None, speed=1.0)
    await cached.synthesize("Hello, there", voice="v1", speed=1.0)
    assert len(voice.calls) == 4


async def test_a_stream_is_cached_whole_once_it_has_ended():
    voice, cache = CountingVoice(), DictCache()
    cached = CachedSpeechSynthesizer(voice, cache)
    chunks = [c async for c in cached.stream("One. Two. Three")]
    assert chunks == [b"One", b"Two", b"Three"]
    replay = [c async for c in cached.stream("One. Two. Three")]
    assert replay == [b"OneTwoThree"] and len(voice.calls) == 1
    # A stream abandoned midway is not cached.
    partial = cached.stream("Four. Five")
    await anext(partial)
    await partial.aclose()
    assert [c async for c in cached.stream("Four. Five")] == [b"Four", b"Five"]
