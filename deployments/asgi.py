"""The app without Ray Serve, for any ASGI server: `uvicorn --factory deployments.asgi:create`.

Everything runs in the one process (speech scoring included); settings come from the
environment as for the Gateway. Metrics are served at /metrics for Prometheus to scrape."""

from functools import partial

from fastapi import FastAPI

from adapters.http.app import create_app
from adapters.metrics import PrometheusMetrics
from deployments.log_format import configure_logging
from deployments.settings import Settings
from deployments.tracing import trace_app, tracer_provider
from deployments.wiring import bootstrap, shut_down

METRICS_PATH = "/metrics"


def create() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_level)
    metrics = PrometheusMetrics()
    tracing = tracer_provider(settings, "Gateway")
    container = bootstrap(settings, metrics=metrics)
    app = create_app(
        container.http_services(),
        on_startup=container.start,
        on_shutdown=partial(shut_down, container, tracing),
    )
    # A plain route: no rate limit, not in the OpenAPI document.
    app.add_route(METRICS_PATH, metrics.scrape, include_in_schema=False)
    return trace_app(app, tracing)
