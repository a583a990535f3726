"""SpeechIO: the deployment that holds the speech models on both sides of a voice turn,
recognition in and synthesis out, and scales on its own queue."""

from collections.abc import AsyncIterator

from ray import serve

from deployments.log_format import configure_logging
from deployments.providers import build_recognizer, build_synthesizer
from deployments.settings import Settings
from ports.scoring import PcmAudio
from ports.speech import RecognitionTask, SynthesizedSpeech, Transcript, Voice


@serve.deployment
class SpeechIO:
    def __init__(self) -> None:
        settings = Settings()
        configure_logging(settings.log_level)
        self._synthesizer = build_synthesizer(settings)
        self._recognizer = build_recognizer(settings)

    async def synthesize(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> SynthesizedSpeech:
        return await self._synthesizer.synthesize(text, voice=voice, speed=speed)

    async def stream(
        self, text: str, *, voice: str | None = None, speed: float = 1.0
    ) -> AsyncIterator[bytes]:
        async for chunk in self._synthesizer.stream(text, voice=voice, speed=speed):
            yield chunk

    async def voices(self) -> list[Voice]:
        return await self._synthesizer.voices()

    async def transcribe(
        self,
        audio: PcmAudio,
        *,
        language: str | None = None,
        task: RecognitionTask = RecognitionTask.TRANSCRIBE,
    ) -> Transcript:
        return await self._recognizer.transcribe(audio, language=language, task=task)
