"""adapters.speech.azure_scorer: Azure's JSON results, and the real Speech SDK against local
stand-ins for the service (a closed port, and a minimal WebSocket server that speaks just
enough of the SDK's protocol). Nothing here reaches the internet."""

import asyncio
import json
import struct
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import azure.cognitiveservices.speech as speechsdk
import pytest

from adapters.speech.azure_scorer import (
    PROVIDER_FAILED,
    AzureSpeechScorer,
    parse_assessment,
)
from domain.errors import InvalidInput, NoSpeech, ServiceUnavailable
from ports.scoring import PcmAudio, PhonemeScore, WordError, WordScore
from tests.contract.azure_speech_service import FakeSpeechService, closed_port

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "azure"
KEY = "fake-key-for-tests"
AUDIO = PcmAudio(bytes(range(256)) * 125, 16000)  # one second; the content does not matter


def azure_json(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text()


def reworked(name: str, change: Callable[[dict[str, Any]], object]) -> str:
    """A recorded result with `change(NBest[0])` applied."""
    document = json.loads(azure_json(name))
    change(document["NBest"][0])
    return json.dumps(document)


# --- Recorded results ---------------------------------------------------------------------


def test_a_good_reading():
    result = parse_assessment(azure_json("what_is_your_name"))

    assert result.recognized_text == "What is your name?"
    assert (result.pronunciation_score, result.accuracy_score) == (98.0, 97.0)
    assert (result.fluency_score, result.completeness_score) == (99.0, 100.0)
    assert result.provider == "azure"
    assert [(w.word, w.score, w.error_type) for w in result.word_scores] == [
        ("what", 100.0, WordError.NONE),
        ("is", 98.0, WordError.NONE),
        ("your", 94.0, WordError.NONE),
        ("name", 99.0, WordError.NONE),
    ]


def test_miscues_keep_the_reference_order_with_insertions_where_spoken():
    result = parse_assessment(azure_json("cup_of_tea_miscues"))

    assert result.recognized_text == "I like a big cup of tee."
    assert result.pronunciation_score == 81.4
    assert result.completeness_score == 86.0
    assert [(w.word, w.score, w.error_type) for w in result.word_scores] == [
        ("i", 100.0, WordError.NONE),
        ("would", 0.0, WordError.OMISSION),
        ("like", 96.0, WordError.NONE),
        ("a", 100.0, WordError.NONE),
        ("big", 88.0, WordError.INSERTION),
        ("cup", 97.0, WordError.NONE),
        ("of", 92.0, WordError.NONE),
        ("tea", 41.0, WordError.MISPRONUNCIATION),
    ]
    assert result.word_scores[1].phonemes == []  # nothing was said


def test_phoneme_scores():
    result = parse_assessment(azure_json("think_about_three_things"))

    think, about, three, things = result.word_scores
    assert think == WordScore(
        "think",
        55.0,
        WordError.MISPRONUNCIATION,
        [
            PhonemeScore("th", 8.0),
            PhonemeScore("ih", 84.0),
            PhonemeScore("ng", 79.0),
            PhonemeScore("k", 96.0),
        ],
    )
    assert [p.phoneme for p in about.phonemes] == ["ax", "b", "aw", "t"]
    assert [(p.phoneme, p.score) for p in three.phonemes] == [("th", 5), ("r", 82), ("iy", 94)]
    assert things.phonemes[0] == PhonemeScore("th", 31.0)


def test_a_missing_pron_score_is_weighted_like_azure():
    def drop(best: dict[str, Any]) -> None:
        del best["PronunciationAssessment"]["PronScore"]

    without = reworked("think_about_three_things", drop)

    # accuracy 70, fluency 90, completeness 100: 0.6 * 70 + 0.2 * 90 + 0.2 * 100
    assert parse_assessment(without).pronunciation_score == 80.0


def test_an_omitted_word_scores_zero_whatever_azure_says():
    def garble(best: dict[str, Any]) -> None:
        best["Words"][1]["PronunciationAssessment"]["AccuracyScore"] = 73

    assert parse_assessment(reworked("cup_of_tea_miscues", garble)).word_scores[1].score == 0.0


@pytest.mark.parametrize("error_type", ["UnexpectedBreak", "MissingBreak", "Monotone"])
def test_prosody_error_types_count_as_no_miscue(error_type: str):
    def mark(best: dict[str, Any]) -> None:
        best["Words"][2]["PronunciationAssessment"]["ErrorType"] = error_type

    word = parse_assessment(reworked("what_is_your_name", mark)).word_scores[2]
    assert (word.word, word.score, word.error_type) == ("your", 94.0, WordError.NONE)


def test_lexical_text_when_there_is_no_display_text():
    text = reworked("what_is_your_name", lambda best: best.pop("Display"))

    assert parse_assessment(text).recognized_text == "what is your name"


def test_the_flat_shape_of_the_rest_api():
    flat = {
        "RecognitionStatus": "Success",
        "NBest": [
            {
                "Lexical": "good morning",
                "AccuracyScore": 90,
                "FluencyScore": 80,
                "CompletenessScore": 100,
                "PronScore": 86.0,
                "Words": [{"Word": "good", "AccuracyScore": 90, "ErrorType": "None"}],
            }
        ],
    }

    result = parse_assessment(json.dumps(flat))
    assert (result.recognized_text, result.pronunciation_score) == ("good morning", 86.0)
    assert result.word_scores == [WordScore("good", 90.0)]


@pytest.mark.parametrize("status", ["NoMatch", "InitialSilenceTimeout", "BabbleTimeout"])
def test_a_result_without_speech_is_unprocessable(status: str):
    with pytest.raises(NoSpeech):
        parse_assessment(json.dumps({"RecognitionStatus": status, "Offset": 0, "Duration": 0}))


@pytest.mark.parametrize(
    "text", ["", "not json", "{}", '{"RecognitionStatus": "Error"}', '{"NBest": [{}]}']
)
def test_an_unreadable_result_is_a_provider_failure(text: str):
    with pytest.raises(ServiceUnavailable):
        parse_assessment(text)


# --- Construction -------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "region"), [("", "westeurope"), (KEY, ""), ("  ", "westeurope")])
def test_an_empty_key_or_region_is_refused(key: str, region: str):
    with pytest.raises(ValueError):
        AzureSpeechScorer(key, region)


async def test_nothing_to_score_never_reaches_azure():
    scorer = AzureSpeechScorer(KEY, "local", endpoint="ws://127.0.0.1:9/unused")

    with pytest.raises(InvalidInput):
        await scorer.score(AUDIO, "  ", "en-US")
    with pytest.raises(NoSpeech):
        await scorer.score(PcmAudio(b"", 16000), "What is your name?", "en-US")


# --- The real SDK against local stand-ins ------------------------------------------------


@pytest.fixture
async def service(request: pytest.FixtureRequest) -> AsyncIterator[FakeSpeechService]:
    fake = FakeSpeechService(**getattr(request, "param", {}))
    await fake.start()
    yield fake
    await fake.stop()


MISCUES = json.loads(azure_json("cup_of_tea_miscues"))
NO_MATCH = {"RecognitionStatus": "InitialSilenceTimeout", "Offset": 0, "Duration": 10000000}


@pytest.mark.parametrize("service", [{"phrase": MISCUES}], indirect=True)
async def test_a_scored_reading_through_the_sdk(service: FakeSpeechService):
    scorer = AzureSpeechScorer(KEY, "local", endpoint=service.endpoint)

    result = await scorer.score(AUDIO, "I would like a cup of tea.", "en-US")

    assert result == parse_assessment(json.dumps(MISCUES))
    assert service.requests == [
        "/speech/recognition/conversation/cognitiveservices/v1?language=en-US"
    ]
    [context] = service.contexts
    assessment = context["phraseDetection"]["enrichment"]["pronunciationAssessment"]
    expected = {
        "referenceText": "I would like a cup of tea.",
        "gradingSystem": "HundredMark",
        "granularity": "Phoneme",
        "enableMiscue": True,
    }
    assert expected.items() <= assessment.items()
    # The SDK sends a WAV header first: PCM (format 1), mono, 16 kHz, 16-bit.
    riff, _, wave, _, _, pcm, channels, rate, _, _, bits = struct.unpack_from(
        "<4sI4s4sIHHIIHH", service.audio
    )
    assert (riff, wave, pcm, channels, rate, bits) == (b"RIFF", b"WAVE", 1, 1, 16000, 16)
    assert service.audio[-len(AUDIO.samples) :] == AUDIO.samples
    assert len(service.audio) == 44 + len(AUDIO.samples)


@pytest.mark.parametrize("service", [{"phrase": NO_MATCH}], indirect=True)
async def test_no_speech_through_the_sdk_is_unprocessable_at_once(service: FakeSpeechService):
    scorer = AzureSpeechScorer(KEY, "local", endpoint=service.endpoint)

    with pytest.raises(NoSpeech):
        await scorer.score(AUDIO, "What is your name?", "en-GB")
    assert service.requests == [
        "/speech/recognition/conversation/cognitiveservices/v1?language=en-GB"
    ]


@pytest.mark.parametrize(
    "service", [{"refuse_with": 401}, {"refuse_with": 403}], indirect=True, ids=["401", "403"]
)
async def test_a_refused_key_is_reported_without_retrying(service: FakeSpeechService):
    scorer = AzureSpeechScorer(KEY, "local", endpoint=service.endpoint, backoff_seconds=0)

    with pytest.raises(ServiceUnavailable, match="refused the configured key or region") as error:
        await scorer.score(AUDIO, "What is your name?", "en-US")
    assert KEY not in f"{error.value} {error.value.details}"
    assert len(service.requests) == 1


@pytest.mark.parametrize("service", [{"refuse_with": 400}], indirect=True)
async def test_a_bad_request_blames_the_language(service: FakeSpeechService):
    scorer = AzureSpeechScorer(KEY, "local", endpoint=service.endpoint, backoff_seconds=0)

    with pytest.raises(InvalidInput) as error:
        await scorer.score(AUDIO, "What is your name?", "xx-XX")
    assert error.value.details == {"field": "language"}


Attempt = tuple[float, float, speechsdk.SpeechRecognitionResult]  # start, end, result


class AttemptRecorder:
    """Wraps the scorer's one blocking SDK call to record each attempt as it ends, including
    attempts that the scorer no longer waits for."""

    def __init__(self, scorer: AzureSpeechScorer, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[Attempt] = []
        self._ended = threading.Semaphore(0)
        recognize = scorer._recognize

        def recorded(*args: Any) -> speechsdk.SpeechRecognitionResult:
            started = time.monotonic()
            result = recognize(*args)
            self.attempts.append((started, time.monotonic(), result))
            self._ended.release()
            return result

        monkeypatch.setattr(scorer, "_recognize", recorded)

    async def ended(self, count: int, within: float) -> bool:
        """Whether `count` attempts end within `within` seconds from now."""
        deadline = time.monotonic() + within
        for _ in range(count):
            left = max(0.0, deadline - time.monotonic())
            if not await asyncio.to_thread(self._ended.acquire, timeout=left):
                return False
        return True


def cancellation(attempt: Attempt) -> speechsdk.CancellationErrorCode:
    assert attempt[2].reason == speechsdk.ResultReason.Canceled
    return attempt[2].cancellation_details.code


async def test_an_unreachable_service_is_retried_with_backoff(monkeypatch: pytest.MonkeyPatch):
    endpoint = (
        f"ws://127.0.0.1:{closed_port()}/speech/recognition/conversation/cognitiveservices/v1"
    )
    scorer = AzureSpeechScorer(KEY, "local", endpoint=endpoint, attempts=3, backoff_seconds=0.1)
    attempts = AttemptRecorder(scorer, monkeypatch).attempts

    with pytest.raises(ServiceUnavailable, match=PROVIDER_FAILED):
        await scorer.score(AUDIO, "What is your name?", "en-US")

    assert [cancellation(a) for a in attempts] == [
        speechsdk.CancellationErrorCode.ConnectionFailure
    ] * 3
    pauses = [attempts[i + 1][0] - attempts[i][1] for i in range(2)]
    assert pauses[0] >= 0.1 and pauses[1] >= 0.2 and max(pauses) < 1, pauses  # 0.1 s, 0.2 s


@pytest.mark.parametrize("service", [{"phrase": None}], indirect=True)
async def test_a_silent_service_times_out_each_attempt(
    service: FakeSpeechService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    scorer = AzureSpeechScorer(
        KEY, "local", endpoint=service.endpoint, timeout_seconds=1, attempts=2, backoff_seconds=0
    )
    recorder = AttemptRecorder(scorer, monkeypatch)
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            gaps.append(time.monotonic() - last)
            last = time.monotonic()

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match=PROVIDER_FAILED):
        await scorer.score(AUDIO, "What is your name?", "en-US")
    elapsed = time.monotonic() - started
    ticker.cancel()

    assert 2 <= elapsed < 3, elapsed  # two attempts of 1 s
    assert [r.message for r in caplog.records if r.name == "adapters.speech.azure_scorer"] == [
        "Azure Speech attempt 1/2 timed out after 1 s",
        "Azure Speech attempt 2/2 timed out after 1 s",
    ]
    assert len(service.requests) == 2  # each attempt reached the service, which never answered
    assert max(gaps) < 0.5  # the blocking SDK calls (1 s each) never held up the event loop

    # The abandoned SDK calls give up by themselves soon after, not ~70 s later (see
    # _SDK_ANSWER_TIMEOUT_MS in the adapter).
    assert await recorder.ended(2, within=8)
    assert [cancellation(a) for a in recorder.attempts] == [
        speechsdk.CancellationErrorCode.ServiceTimeout
    ] * 2
    assert all(end - start < 1 + 5 for start, end, _ in recorder.attempts)
