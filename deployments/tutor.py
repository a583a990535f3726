"""Tutor: the deployment that holds the tutor's language model and grammar checker and
answers turns. Sessions live in the database, so any replica can answer any turn."""

from ray import serve

from adapters.metrics import RayMetrics
from deployments.log_format import configure_logging
from deployments.providers import build_tutor
from deployments.settings import Settings
from deployments.tracing import served_span, tracer_provider
from ports.tutoring import TurnContext, TutorReply


@serve.deployment(name="Tutor")
class TutorDeployment:
    def __init__(self) -> None:
        settings = Settings()
        configure_logging(settings.log_level)
        self._tutor = build_tutor(settings, RayMetrics())
        tracing = tracer_provider(settings, "Tutor")
        self._tracer = tracing.get_tracer(__name__) if tracing else None

    async def reply(
        self,
        context: TurnContext,
        learner_text: str,
        trace_context: dict[str, str] | None = None,
    ) -> TutorReply:
        with served_span(self._tracer, "Tutor.reply", trace_context):
            return await self._tutor.reply(context, learner_text)
