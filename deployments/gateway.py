"""The Gateway: the HTTP ingress deployment wrapping the FastAPI app.

Cheap work (auth, content queries, game sessions) runs inside this replica with no extra
hop; heavy work reaches its own deployment through handle adapters."""

from functools import partial

from fastapi import FastAPI
from ray import serve
from ray.serve.handle import DeploymentHandle

from adapters.http.app import create_app
from adapters.metrics import RayMetrics
from deployments.handles import (
    RecognitionHandle,
    SpeechScoringHandle,
    SynthesisHandle,
    TutorHandle,
)
from deployments.log_format import configure_logging
from deployments.settings import Settings
from deployments.tracing import trace_app, tracer_provider
from deployments.wiring import bootstrap, shut_down


@serve.deployment
@serve.ingress()
class Gateway:
    def __init__(
        self,
        speech_scoring: DeploymentHandle,
        tutor: DeploymentHandle,
        speech_io: DeploymentHandle,
    ) -> None:
        # Settings come from the replica's environment, as in every other process.
        settings = Settings()
        configure_logging(settings.log_level)
        # Ray's metrics: the node's exporter serves every replica's (README, Observability).
        metrics = RayMetrics()
        self._tracing = tracer_provider(settings, "Gateway")
        self._container = bootstrap(
            settings,
            metrics=metrics,
            speech_scorer=SpeechScoringHandle(
                speech_scoring,
                settings.speech_provider,
                settings.speech_scoring_timeout_seconds,
                metrics,
            ),
            tutor=TutorHandle(tutor, settings.tutor_timeout_seconds, metrics),
            synthesizer=SynthesisHandle(
                speech_io, settings.tts_provider, settings.speech_io_timeout_seconds, metrics
            ),
            recognizer=RecognitionHandle(
                speech_io, settings.stt_provider, settings.speech_io_timeout_seconds, metrics
            ),
        )

    def __serve_build_asgi_app__(self) -> FastAPI:
        app = create_app(
            self._container.http_services(),
            on_startup=self._container.start,
            on_shutdown=partial(shut_down, self._container, self._tracing),
        )
        return trace_app(app, self._tracing)
