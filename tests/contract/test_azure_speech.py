"""adapters.speech.azure_speech: the real Speech SDK against a local stand-in for Azure AI Speech
(tests/contract/azure_speech_service.py). Nothing here reaches the internet."""

import struct
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.speech.azure_speech import (
    PROVIDER_FAILED,
    AzureSpeechRecognizer,
    AzureSpeechSynthesizer,
    azure_locale,
)
from adapters.speech.codec import decode_to_pcm
from domain.errors import InvalidInput, NoSpeech, ServiceUnavailable, Unprocessable
from ports.scoring import PcmAudio
from ports.speech import STREAM_MEDIA_TYPE, RecognitionTask, Voice
from tests.contract.azure_speech_service import (
    RECOGNITION_PATH,
    SYNTHESIS_PATH,
    VOICES_PATH,
    FakeSpeechService,
    closed_port,
)
from tests.contract.http_provider_stub import MP3

KEY = "fake-key-for-tests"
AUDIO = PcmAudio(bytes(range(256)) * 125, 16000)  # one second; the content does not matter


def phrase(display: str, confidence: float) -> dict[str, Any]:
    lexical = display.lower().strip(".?!")
    return {
        "RecognitionStatus": "Success",
        "Offset": 0,
        "Duration": 10000000,
        "DisplayText": display,
        "NBest": [
            {"Confidence": confidence, "Lexical": lexical, "ITN": lexical, "Display": display}
        ],
    }


@pytest.fixture
async def service(request: pytest.FixtureRequest) -> AsyncIterator[FakeSpeechService]:
    fake = FakeSpeechService(**getattr(request, "param", {}))
    await fake.start()
    yield fake
    await fake.stop()


def recognizer(service: FakeSpeechService, **options: Any) -> AzureSpeechRecognizer:
    return AzureSpeechRecognizer(KEY, "local", host=f"ws://{service.host}", **options)


def synthesizer(service: FakeSpeechService, **options: Any) -> AzureSpeechSynthesizer:
    return AzureSpeechSynthesizer(KEY, "local", host=f"ws://{service.host}", **options)


@pytest.mark.parametrize(
    ("language", "locale"),
    [("en", "en-US"), ("es", "es-ES"), ("ja", "ja-JP"), ("en-GB", "en-GB"), ("pt_PT", "pt-PT")],
)
def test_iso_codes_become_azure_locales(language: str, locale: str):
    assert azure_locale(language) == locale


# --- Recognition ------------------------------------------------------------------------------


TWO_PHRASES = [phrase("I like tea.", 0.9), phrase("And coffee.", 0.7)]


@pytest.mark.parametrize("service", [{"phrase": TWO_PHRASES}], indirect=True)
async def test_every_phrase_of_the_recording_is_transcribed(service: FakeSpeechService):
    transcript = await recognizer(service).transcribe(AUDIO, language="en")

    assert transcript.text == "I like tea. And coffee."
    assert (transcript.language, transcript.provider) == ("en", "azure")
    assert transcript.confidence == pytest.approx(0.8)
    assert transcript.duration_seconds == 1.0
    [request] = service.requests
    path, _, query = request.partition("?")
    assert path == RECOGNITION_PATH
    assert {"language=en-US", "format=detailed"} <= set(query.split("&"))
    assert service.headers[0]["ocp-apim-subscription-key"] == KEY
    # The SDK sends a WAV header first: PCM (format 1), mono, 16 kHz, 16-bit.
    riff, _, wave, _, _, pcm, channels, rate, _, _, bits = struct.unpack_from(
        "<4sI4s4sIHHIIHH", service.audio
    )
    assert (riff, wave, pcm, channels, rate, bits) == (b"RIFF", b"WAVE", 1, 1, 16000, 16)
    assert service.audio[-len(AUDIO.samples) :] == AUDIO.samples


@pytest.mark.parametrize("service", [{"phrase": [phrase("Hola.", 0.8)]}], indirect=True)
async def test_the_language_asked_for_is_the_locale_sent(service: FakeSpeechService):
    transcript = await recognizer(service).transcribe(AUDIO, language="es")

    assert transcript.language == "es"
    assert "language=es-ES" in service.requests[0].split("?")[1].split("&")


NO_MATCH = {"RecognitionStatus": "InitialSilenceTimeout", "Offset": 0, "Duration": 10000000}


@pytest.mark.parametrize("service", [{"phrase": [NO_MATCH]}], indirect=True)
async def test_no_speech_is_unprocessable(service: FakeSpeechService):
    with pytest.raises(NoSpeech):
        await recognizer(service).transcribe(AUDIO)
    assert len(service.requests) == 1


async def test_input_the_service_is_not_asked_about(service: FakeSpeechService):
    azure = recognizer(service)

    with pytest.raises(Unprocessable):
        await azure.transcribe(PcmAudio(b"", 16000))
    with pytest.raises(InvalidInput, match="up to 30 s"):
        await azure.transcribe(PcmAudio(bytes(2 * 16000 * 31), 16000))
    with pytest.raises(ServiceUnavailable, match="from a language it is told") as error:
        await azure.transcribe(AUDIO, task=RecognitionTask.TRANSLATE)
    assert error.value.details["setting"] == "STT_PROVIDER=openai"
    assert service.requests == []


TRANSLATED = {
    "RecognitionStatus": "Success",
    "Offset": 0,
    "Duration": 10000000,
    "Text": "Buenos días.",
    "Translation": {
        "TranslationStatus": "Success",
        "Translations": [{"Language": "en", "Text": "Good morning."}],
    },
}


@pytest.mark.parametrize("service", [{"phrase": [TRANSLATED]}], indirect=True)
async def test_translation_to_english_is_speech_translation(service: FakeSpeechService):
    transcript = await recognizer(service).transcribe(
        AUDIO, language="es", task=RecognitionTask.TRANSLATE
    )

    assert (transcript.text, transcript.language) == ("Good morning.", "es")
    assert transcript.confidence is None
    [context] = service.contexts
    assert context["phraseDetection"]["language"] == "es-ES"
    assert context["translation"]["targetLanguages"] == ["en"]
    assert service.audio[-len(AUDIO.samples) :] == AUDIO.samples


@pytest.mark.parametrize("service", [{"phrase": [phrase("Good morning.", 0.9)]}], indirect=True)
async def test_translating_english_is_transcribing_it(service: FakeSpeechService):
    transcript = await recognizer(service).transcribe(
        AUDIO, language="en-GB", task=RecognitionTask.TRANSLATE
    )

    assert (transcript.text, transcript.language) == ("Good morning.", "en")
    assert service.requests[0].startswith(RECOGNITION_PATH)


@pytest.mark.parametrize("service", [{"refuse_with": 401}], indirect=True)
async def test_a_refused_key_is_reported_without_retrying(service: FakeSpeechService):
    with pytest.raises(ServiceUnavailable, match="refused the configured key") as error:
        await recognizer(service, backoff_seconds=0).transcribe(AUDIO)
    assert KEY not in f"{error.value} {error.value.details}"
    assert len(service.requests) == 1


@pytest.mark.parametrize("service", [{"refuse_with": 400}], indirect=True)
async def test_a_bad_request_blames_the_language(service: FakeSpeechService):
    with pytest.raises(InvalidInput) as error:
        await recognizer(service).transcribe(AUDIO, language="xx")
    assert error.value.details == {"field": "language"}


async def test_an_unreachable_service_is_retried_then_unavailable():
    azure = AzureSpeechRecognizer(
        KEY, "local", host=f"ws://127.0.0.1:{closed_port()}", attempts=3, backoff_seconds=0.1
    )
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable, match=PROVIDER_FAILED):
        await azure.transcribe(AUDIO)
    assert 0.3 <= time.monotonic() - started < 2  # waited 0.1 s, then 0.2 s


@pytest.mark.parametrize("service", [{"phrase": None}], indirect=True)
async def test_a_silent_service_times_out_each_attempt(service: FakeSpeechService):
    azure = recognizer(service, timeout_seconds=0.8, attempts=2, backoff_seconds=0)
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable, match=PROVIDER_FAILED):
        await azure.transcribe(AUDIO)
    assert 1.6 <= time.monotonic() - started < 3  # two attempts of 0.8 s
    assert len(service.requests) == 2


# --- Synthesis --------------------------------------------------------------------------------


@pytest.mark.parametrize("service", [{"speech": MP3}], indirect=True)
async def test_synthesized_speech_is_the_mp3_as_served(service: FakeSpeechService):
    speech = await synthesizer(service).synthesize("Fish & chips?", speed=1.5)

    assert (speech.audio, speech.media_type, speech.sample_rate) == (MP3, STREAM_MEDIA_TYPE, 16000)
    assert decode_to_pcm(speech.audio).duration_seconds > 1  # playable speech
    assert service.requests == [SYNTHESIS_PATH]
    [context] = service.synthesis_contexts
    assert context["synthesis"]["audio"]["outputFormat"] == "audio-16khz-32kbitrate-mono-mp3"
    assert service.ssml == [
        '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">'
        '<voice name="en-US-JennyNeural"><prosody rate="+50%">Fish &amp; chips?</prosody>'
        "</voice></speak>"
    ]


@pytest.mark.parametrize("service", [{"speech": MP3, "chunk_size": 1000}], indirect=True)
async def test_streamed_speech_comes_in_chunks(service: FakeSpeechService):
    chunks = [
        chunk
        async for chunk in synthesizer(service).stream(
            "Hello.", voice="en-GB-RyanNeural", speed=0.5
        )
    ]

    assert b"".join(chunks) == MP3
    assert len(chunks) > 1
    assert service.requests == [SYNTHESIS_PATH]  # one attempt was enough
    assert (
        'xml:lang="en-GB"><voice name="en-GB-RyanNeural"><prosody rate="-50%">' in (service.ssml[0])
    )


@pytest.mark.parametrize(
    ("text", "voice", "speed", "field"),
    [(" ", None, 1.0, "text"), ("Hi.", "jenny", 1.0, "voice"), ("Hi.", None, 2.5, "speed")],
)
async def test_bad_input_is_refused_before_sending(
    service: FakeSpeechService, text: str, voice: str | None, speed: float, field: str
):
    azure = synthesizer(service)

    with pytest.raises(InvalidInput) as error:
        await azure.synthesize(text, voice=voice, speed=speed)
    assert error.value.details == {"field": field}
    with pytest.raises(InvalidInput):
        await anext(azure.stream(text, voice=voice, speed=speed))
    assert service.requests == []


@pytest.mark.parametrize("service", [{"speech": None}], indirect=True)
async def test_a_silent_synthesis_times_out(service: FakeSpeechService):
    azure = synthesizer(service, timeout_seconds=0.5, attempts=2, backoff_seconds=0)

    with pytest.raises(ServiceUnavailable, match=PROVIDER_FAILED):
        await azure.synthesize("Hello.")
    assert len(service.requests) == 2


@pytest.mark.parametrize("service", [{"refuse_with": 403}], indirect=True)
async def test_a_refused_synthesis_key_is_not_retried(service: FakeSpeechService):
    with pytest.raises(ServiceUnavailable, match="refused the configured key"):
        await anext(synthesizer(service).stream("Hello."))
    assert len(service.requests) == 1


@pytest.mark.parametrize("service", [{"refuse_with": 400}], indirect=True)
async def test_a_bad_synthesis_request_blames_the_voice(service: FakeSpeechService):
    with pytest.raises(InvalidInput, match="en-AU-NobodyNeural") as error:
        await synthesizer(service).synthesize("Hello.", voice="en-AU-NobodyNeural")
    assert error.value.details == {"field": "voice"}
    assert len(service.requests) == 1


VOICES = [
    {"ShortName": "en-US-JennyNeural", "LocalName": "Jenny", "Locale": "en-US", "Gender": "Female"},
    {"ShortName": "en-GB-RyanNeural", "LocalName": "Ryan", "Locale": "en-GB", "Gender": "Male"},
    {"ShortName": "de-DE-KatjaNeural", "LocalName": "Katja", "Locale": "de-DE", "Gender": "Female"},
]


@pytest.mark.parametrize("service", [{"voices": VOICES}], indirect=True)
async def test_the_english_voices(service: FakeSpeechService):
    assert await synthesizer(service).voices() == [
        Voice("en-US-JennyNeural", "Jenny", "en-US", "female"),
        Voice("en-GB-RyanNeural", "Ryan", "en-GB", "male"),
    ]
    assert service.requests == [VOICES_PATH]


@pytest.mark.parametrize("service", [{"refuse_with": 401}], indirect=True)
async def test_a_refused_key_for_the_voices_names_the_settings(service: FakeSpeechService):
    with pytest.raises(ServiceUnavailable, match="refused the configured key") as error:
        await synthesizer(service).voices()
    assert error.value.details["settings"] == ["AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION"]
    assert len(service.requests) == 1
