"""SpeechScoring: the deployment that holds the loaded scoring models and scales on its own
queue (autoscaling_config in serve_config.yaml)."""

from ray import serve

from adapters.metrics import RayMetrics
from deployments.log_format import configure_logging
from deployments.providers import build_speech_scorer
from deployments.settings import Settings
from deployments.tracing import served_span, tracer_provider
from ports.scoring import PcmAudio, ScoringResult


@serve.deployment
class SpeechScoring:
    def __init__(self) -> None:
        settings = Settings()
        configure_logging(settings.log_level)
        self._scorer = build_speech_scorer(settings, RayMetrics())
        tracing = tracer_provider(settings, "SpeechScoring")
        self._tracer = tracing.get_tracer(__name__) if tracing else None

    async def score(
        self,
        audio: PcmAudio,
        reference_text: str,
        language: str,
        trace_context: dict[str, str] | None = None,
    ) -> ScoringResult:
        with served_span(self._tracer, "SpeechScoring.score", trace_context):
            return await self._scorer.score(audio, reference_text, language)
