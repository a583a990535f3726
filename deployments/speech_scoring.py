"""SpeechScoring: the deployment that holds the loaded scoring models and scales on its own
queue (autoscaling_config in serve_config.yaml)."""

from ray import serve

from deployments.log_format import configure_logging
from deployments.providers import build_speech_scorer
from deployments.settings import Settings
from ports.scoring import PcmAudio, ScoringResult


@serve.deployment
class SpeechScoring:
    def __init__(self) -> None:
        settings = Settings()
        configure_logging(settings.log_level)
        self._scorer = build_speech_scorer(settings)

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        return await self._scorer.score(audio, reference_text, language)
