"""eSpeak NG held to the SpeechSynthesizer contract (parla_contracts.speech_synthesizer), and
what is eSpeak NG's own: variants and the voice-id syntax."""

import pytest

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak import EspeakSynthesizer
from domain.errors import InvalidInput
from parla_contracts.speech_synthesizer import (
    MIN_RMS,
    REPLY,
    SENTENCE,
    SpeechSynthesizerContract,
    duration,
    pcm,
    rms,
    stream_chunks,
)
from ports.speech import SpeechSynthesizer


class TestEspeak(SpeechSynthesizerContract):
    @pytest.fixture
    def synthesizer(self) -> SpeechSynthesizer:
        return EspeakSynthesizer()


# eSpeak NG specifics: variants and the voice-id syntax.


@pytest.mark.parametrize("voice", ["en-us+f3", "en-us+m3", "en-gb+f4", "EN-GB-X-RP+Klatt"])
async def test_espeak_accepts_variants(voice: str) -> None:
    speech = await EspeakSynthesizer().synthesize(SENTENCE, voice=voice)

    samples, rate = pcm(speech)
    assert rate == 22050
    assert rms(samples) > MIN_RMS


async def test_espeak_variant_changes_the_voice() -> None:
    synthesizer = EspeakSynthesizer()

    male = await synthesizer.synthesize(SENTENCE, voice="en-us")
    female = await synthesizer.synthesize(SENTENCE, voice="en-us+f3")

    assert male.audio != female.audio


@pytest.mark.parametrize("voice", ["en-us+nope", "en-us+", "gmw/en-US", "en-shaw"])
async def test_espeak_rejects_unknown_variants_and_raw_identifiers(voice: str) -> None:
    with pytest.raises(InvalidInput):
        await EspeakSynthesizer().synthesize(SENTENCE, voice=voice)


async def test_espeak_streams_one_chunk_per_sentence() -> None:
    synthesizer = EspeakSynthesizer()

    chunks, _ = await stream_chunks(synthesizer, REPLY)

    assert len(chunks) == 4
    first_alone = duration(await synthesizer.synthesize("Good morning!"))
    assert decode_to_pcm(chunks[0]).duration_seconds == pytest.approx(first_alone, abs=0.15)
