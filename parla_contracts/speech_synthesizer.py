"""Contract of ports.speech.SpeechSynthesizer. Subclass SpeechSynthesizerContract with a
`synthesizer` fixture that returns the adapter (see parla_contracts)."""

import array
import asyncio
import io
import math
import time
import wave

import pytest

from adapters.speech.codec import decode_to_pcm
from domain.errors import InvalidInput
from ports.speech import STREAM_MEDIA_TYPE, SpeechSynthesizer, SynthesizedSpeech

SENTENCE = "Could you please tell me the way to the railway station?"
REPLY = (
    "Good morning! The railway station is not far from here. Walk straight on for two blocks, "
    "then turn left at the bank. You will see it on your right, next to a small park."
)
MIN_RMS = 300  # of 32767: speech, not silence or dithering noise


def pcm(speech: SynthesizedSpeech) -> tuple[array.array, int]:
    """Mono 16-bit samples and their rate; WAV is checked strictly, other formats decoded."""
    if speech.media_type != "audio/wav":
        decoded = decode_to_pcm(speech.audio, speech.sample_rate)
        return array.array("h", decoded.samples), decoded.sample_rate
    assert speech.audio[:4] == b"RIFF" and speech.audio[8:12] == b"WAVE"
    with wave.open(io.BytesIO(speech.audio)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert wav.getframerate() == speech.sample_rate
        return array.array("h", wav.readframes(wav.getnframes())), wav.getframerate()


def duration(speech: SynthesizedSpeech) -> float:
    samples, rate = pcm(speech)
    return len(samples) / rate


def rms(samples: array.array) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples))


async def stream_chunks(
    synthesizer: SpeechSynthesizer, text: str, **options: str | float
) -> tuple[list[bytes], list[float]]:
    """The chunks of a streamed reply and the seconds after the call at which each arrived."""
    started = time.perf_counter()
    chunks, arrivals = [], []
    async for chunk in synthesizer.stream(text, **options):
        chunks.append(chunk)
        arrivals.append(time.perf_counter() - started)
    return chunks, arrivals


class SpeechSynthesizerContract:
    @pytest.mark.asyncio
    async def test_synthesizes_a_sentence_as_audible_speech(
        self, synthesizer: SpeechSynthesizer
    ) -> None:
        speech = await synthesizer.synthesize(SENTENCE)

        samples, rate = pcm(speech)
        assert 0.5 <= len(samples) / rate <= 10
        assert rms(samples) > MIN_RMS

    @pytest.mark.asyncio
    async def test_faster_speed_gives_shorter_audio(self, synthesizer: SpeechSynthesizer) -> None:
        slow, normal, fast = [
            duration(await synthesizer.synthesize(SENTENCE, speed=speed))
            for speed in (0.5, 1.0, 2.0)
        ]

        assert slow > normal * 1.3
        assert fast < normal / 1.3

    @pytest.mark.asyncio
    async def test_every_listed_voice_synthesizes(self, synthesizer: SpeechSynthesizer) -> None:
        voices = await synthesizer.voices()

        assert voices
        assert len({v.id for v in voices}) == len(voices)
        for voice in voices:
            assert voice.language.lower().startswith("en")
            samples, _ = pcm(await synthesizer.synthesize("Nice to meet you.", voice=voice.id))
            assert rms(samples) > MIN_RMS, voice.id

    @pytest.mark.asyncio
    async def test_concurrent_requests_each_get_their_own_audio(
        self,
        synthesizer: SpeechSynthesizer,
    ) -> None:
        texts = ["Yes.", SENTENCE, "Good morning, how are you today?", "No."] * 2

        alone = [duration(await synthesizer.synthesize(text)) for text in texts]
        together = await asyncio.gather(*(synthesizer.synthesize(text) for text in texts))

        assert [duration(speech) for speech in together] == pytest.approx(alone, rel=0.1)

    @pytest.mark.asyncio
    async def test_streamed_chunks_concatenate_to_the_reply_as_mp3(
        self,
        synthesizer: SpeechSynthesizer,
    ) -> None:
        chunks, _ = await stream_chunks(synthesizer, REPLY)

        assert STREAM_MEDIA_TYPE == "audio/mpeg"
        assert chunks and all(chunks)
        streamed = decode_to_pcm(b"".join(chunks))
        samples = array.array("h", streamed.samples)
        assert rms(samples) > MIN_RMS
        whole = duration(await synthesizer.synthesize(REPLY))
        assert streamed.duration_seconds == pytest.approx(whole, rel=0.25)

    @pytest.mark.asyncio
    async def test_the_first_chunk_arrives_before_the_rest_is_synthesized(
        self,
        synthesizer: SpeechSynthesizer,
    ) -> None:
        chunks, arrivals = await stream_chunks(synthesizer, REPLY)

        assert len(chunks) > 1
        assert arrivals[0] < arrivals[-1] * 0.75

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("text", "voice", "speed"),
        [("", None, 1.0), ("  \n", None, 1.0), (REPLY, "xx-nowhere", 1.0), (REPLY, None, 2.1)],
        ids=["empty", "blank", "unknown-voice", "too-fast"],
    )
    async def test_invalid_stream_input_is_rejected_before_the_first_chunk(
        self, synthesizer: SpeechSynthesizer, text: str, voice: str | None, speed: float
    ) -> None:
        with pytest.raises(InvalidInput):
            await anext(aiter(synthesizer.stream(text, voice=voice, speed=speed)))

    @pytest.mark.asyncio
    @pytest.mark.parametrize(
        ("text", "voice", "speed"),
        [
            ("", None, 1.0),
            ("  \n\t", None, 1.0),
            (SENTENCE, None, 0.4),
            (SENTENCE, None, 2.1),
            (SENTENCE, None, math.nan),
            (SENTENCE, "xx-nowhere", 1.0),
            (SENTENCE, "fr", 1.0),
        ],
        ids=["empty", "blank", "too-slow", "too-fast", "nan-speed", "unknown-voice", "not-english"],
    )
    async def test_invalid_input_is_rejected(
        self, synthesizer: SpeechSynthesizer, text: str, voice: str | None, speed: float
    ) -> None:
        with pytest.raises(InvalidInput):
            await synthesizer.synthesize(text, voice=voice, speed=speed)
