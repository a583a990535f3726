"""Pronunciation scoring with Azure AI Speech: pronunciation assessment through the Speech SDK
(azure-cognitiveservices-speech), one `recognize_once` per attempt.

The SDK blocks, so each attempt runs in a worker thread, bounded by `asyncio.wait_for`."""

import asyncio
import json
import logging
from typing import Any

import azure.cognitiveservices.speech as speechsdk

from adapters.speech.language_codes import azure_locale
from domain.errors import InvalidInput, NoSpeech, ServiceUnavailable
from ports.scoring import PcmAudio, PhonemeScore, ScoringResult, WordError, WordScore

logger = logging.getLogger(__name__)

PROVIDER_FAILED = "Speech provider timed out or failed"

# RecognitionStatus values for audio in which the service found nothing to recognize.
_NO_SPEECH_STATUSES = {"NoMatch", "InitialSilenceTimeout", "BabbleTimeout"}
AUTH_ERRORS = {
    speechsdk.CancellationErrorCode.AuthenticationFailure,
    speechsdk.CancellationErrorCode.Forbidden,
}
# Undocumented SDK properties (names from its native library; effect measured with SDK 1.53):
# how long recognize_once waits for an answer (default 60 s), then for the service to confirm
# the stop (default 10 s). `wait_for` cannot stop a worker thread: with these, an attempt we
# gave up on frees its thread 2 to 3 s after our timeout instead of about 70 s later.
_SDK_ANSWER_TIMEOUT_MS = "SPEECH-OneShotRecognition-OperationTimeoutMs"
_SDK_STOP_TIMEOUT_S = "SPEECH-StopRecognitionTimeoutInSeconds"


def check_options(
    key: str, region: str, timeout_seconds: float, attempts: int, backoff_seconds: float
) -> None:
    """Raises ValueError for settings no Azure Speech adapter can work with."""
    if not key or not key.strip():
        raise ValueError("The Azure Speech key is empty")
    if not region or not region.strip():
        raise ValueError("The Azure Speech region is empty")
    if timeout_seconds <= 0 or attempts < 1 or backoff_seconds < 0:
        raise ValueError("timeout_seconds must be > 0, attempts >= 1, backoff_seconds >= 0")


class AzureSpeechScorer:
    provider = "azure"

    def __init__(
        self,
        key: str,
        region: str,
        *,
        timeout_seconds: float = 10,
        attempts: int = 3,
        backoff_seconds: float = 0.5,
        endpoint: str | None = None,
    ) -> None:
        """`endpoint` (e.g. "wss://<host>/speech/recognition/conversation/cognitiveservices/v1")
        replaces the host that `region` implies: sovereign clouds, or a local server in tests.
        Retries wait `backoff_seconds`, then twice that, and so on."""
        check_options(key, region, timeout_seconds, attempts, backoff_seconds)
        self._key = key
        self._region = region
        self._endpoint = endpoint
        self._timeout = timeout_seconds
        self._attempts = attempts
        self._backoff = backoff_seconds

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        if not reference_text.strip():
            raise InvalidInput("reference_text is empty", {"field": "reference_text"})
        if not audio.samples:
            raise NoSpeech()
        locale = azure_locale(language)
        for attempt in range(1, self._attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 2))
            try:
                result = await asyncio.wait_for(
                    asyncio.to_thread(self._recognize, audio, reference_text, locale),
                    self._timeout,
                )
            except TimeoutError:
                # The worker thread cannot be interrupted; it ends when the SDK gives up.
                logger.warning(
                    "Azure Speech attempt %d/%d timed out after %s s",
                    attempt,
                    self._attempts,
                    self._timeout,
                )
                continue
            if result.reason == speechsdk.ResultReason.RecognizedSpeech:
                return parse_assessment(
                    result.properties.get(speechsdk.PropertyId.SpeechServiceResponse_JsonResult)
                )
            if result.reason == speechsdk.ResultReason.NoMatch:
                raise NoSpeech()
            if result.reason == speechsdk.ResultReason.Canceled:
                _raise_if_final(result.cancellation_details, locale)
            logger.warning(
                "Azure Speech attempt %d/%d failed: %s", attempt, self._attempts, _describe(result)
            )
        raise ServiceUnavailable(PROVIDER_FAILED)

    def _recognize(
        self, audio: PcmAudio, reference_text: str, locale: str
    ) -> speechsdk.SpeechRecognitionResult:
        """One blocking recognition with pronunciation assessment; run in a worker thread."""
        if self._endpoint:
            config = speechsdk.SpeechConfig(subscription=self._key, endpoint=self._endpoint)
        else:
            config = speechsdk.SpeechConfig(subscription=self._key, region=self._region)
        config.speech_recognition_language = locale
        config.set_property_by_name(_SDK_ANSWER_TIMEOUT_MS, str(int(self._timeout * 1000)))
        config.set_property_by_name(_SDK_STOP_TIMEOUT_S, "1")
        stream_format = speechsdk.audio.AudioStreamFormat(
            samples_per_second=audio.sample_rate, bits_per_sample=16, channels=1
        )
        stream = speechsdk.audio.PushAudioInputStream(stream_format=stream_format)
        stream.write(audio.samples)
        stream.close()  # end of audio: the service scores what it has
        recognizer = speechsdk.SpeechRecognizer(
            speech_config=config, audio_config=speechsdk.audio.AudioConfig(stream=stream)
        )
        speechsdk.PronunciationAssessmentConfig(
            reference_text=reference_text,
            grading_system=speechsdk.PronunciationAssessmentGradingSystem.HundredMark,
            granularity=speechsdk.PronunciationAssessmentGranularity.Phoneme,
            enable_miscue=True,
        ).apply_to(recognizer)
        return recognizer.recognize_once_async().get()


def _raise_if_final(details: speechsdk.CancellationDetails, locale: str) -> None:
    """Raises for a cancellation that another attempt would not change."""
    if details.reason == speechsdk.CancellationReason.EndOfStream:
        raise NoSpeech()
    if details.code in AUTH_ERRORS:
        logger.error("Azure Speech refused the credentials: %s", details.error_details)
        raise ServiceUnavailable(
            "Azure Speech refused the configured key or region",
            {"settings": ["AZURE_SPEECH_KEY", "AZURE_SPEECH_REGION"]},
        )
    if details.code == speechsdk.CancellationErrorCode.BadRequest:
        # Audio format and reference text are ours and checked; the locale is the caller's.
        logger.warning("Azure Speech rejected the request: %s", details.error_details)
        raise InvalidInput(
            f"Azure Speech rejected the request; is language {locale!r} supported?",
            {"field": "language"},
        )


def _describe(result: speechsdk.SpeechRecognitionResult) -> str:
    if result.reason != speechsdk.ResultReason.Canceled:
        return f"unexpected result {result.reason.name}"
    details = result.cancellation_details
    return f"{details.code.name}: {details.error_details}"


def parse_assessment(json_text: str) -> ScoringResult:
    """The scores in Azure's detailed recognition result (`SpeechServiceResponse_JsonResult`).

    Reads the SDK's shape, with scores under "PronunciationAssessment", and also the flat shape
    of the REST short-audio API, with scores directly on NBest[0] and on each word."""
    try:
        document = json.loads(json_text)
        if document.get("RecognitionStatus") in _NO_SPEECH_STATUSES:
            raise NoSpeech()
        best = document["NBest"][0]
        scores = _assessment(best)
        accuracy = float(scores["AccuracyScore"])
        fluency = float(scores["FluencyScore"])
        completeness = float(scores["CompletenessScore"])
        if "PronScore" in scores:
            pronunciation = float(scores["PronScore"])
        else:
            # Older API versions leave PronScore out. Azure weighs the lowest of the three scores
            # 0.6 and the other two 0.2 each (pronunciation assessment sample, speech_sample.py
            # in Azure-Samples/cognitive-services-speech-sdk).
            low, middle, high = sorted((accuracy, fluency, completeness))
            pronunciation = round(0.6 * low + 0.2 * middle + 0.2 * high, 1)
        return ScoringResult(
            recognized_text=best.get("Display") or best.get("Lexical", ""),
            pronunciation_score=pronunciation,
            accuracy_score=accuracy,
            fluency_score=fluency,
            completeness_score=completeness,
            word_scores=[_word(word) for word in best.get("Words", [])],
            provider=AzureSpeechScorer.provider,
        )
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ServiceUnavailable("Speech provider returned an unreadable result") from exc


def _assessment(node: dict[str, Any]) -> dict[str, Any]:
    return node.get("PronunciationAssessment", node)


def _word(word: dict[str, Any]) -> WordScore:
    scores = _assessment(word)
    try:
        error = WordError(scores.get("ErrorType", "None"))
    except ValueError:  # prosody feedback ("UnexpectedBreak", "Monotone"...) is no miscue
        error = WordError.NONE
    return WordScore(
        word=word["Word"],
        # An omitted word was not said: Azure's accuracy for it is meaningless or absent.
        score=0.0 if error is WordError.OMISSION else float(scores.get("AccuracyScore", 0)),
        error_type=error,
        phonemes=[
            PhonemeScore(phoneme["Phoneme"], float(_assessment(phoneme).get("AccuracyScore", 0)))
            for phoneme in word.get("Phonemes", [])
        ],
    )
