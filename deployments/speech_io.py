"""SpeechIO: the deployment that holds the speech models on both sides of a voice turn,
recognition in and synthesis out, and scales on its own queue."""

from collections.abc import AsyncIterator

from ray import serve

from adapters.metrics import RayMetrics
from deployments.log_format import configure_logging
from deployments.providers import build_recognizer, build_synthesizer
from deployments.settings import Settings
from deployments.tracing import served_span, tracer_provider
from ports.scoring import PcmAudio
from ports.speech import RecognitionTask, SynthesizedSpeech, Transcript, Voice


@serve.deployment
class SpeechIO:
    def __init__(self) -> None:
        settings = Settings()
        configure_logging(settings.log_level)
        metrics = RayMetrics()
        self._synthesizer = build_synthesizer(settings, metrics)
        self._recognizer = build_recognizer(settings, metrics)
        tracing = tracer_provider(settings, "SpeechIO")
        self._tracer = tracing.get_tracer(__name__) if tracing else None

    async def synthesize(
        self,
        text: str,
        *,
        voice: str | None = None,
        speed: float = 1.0,
        trace_context: dict[str, str] | None = None,
    ) -> SynthesizedSpeech:
        with served_span(self._tracer, "SpeechIO.synthesize", trace_context):
            return await self._synthesizer.synthesize(text, voice=voice, speed=speed)

    async def stream(
        self,
        text: str,
        *,
        voice: str | None = None,
        speed: float = 1.0,
        trace_context: dict[str, str] | None = None,
    ) -> AsyncIterator[bytes]:
        with served_span(self._tracer, "SpeechIO.stream", trace_context):
            async for chunk in self._synthesizer.stream(text, voice=voice, speed=speed):
                yield chunk

    async def voices(self, trace_context: dict[str, str] | None = None) -> list[Voice]:
        with served_span(self._tracer, "SpeechIO.voices", trace_context):
            return await self._synthesizer.voices()

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
        trace_context: dict[str, str] | None = None,
    ) -> Transcript:
        with served_span(self._tracer, "SpeechIO.transcribe", trace_context):
            return await self._recognizer.transcribe(audio, language=language, task=task)
