"""OpenTelemetry tracing across the Gateway and the model deployments, off unless
OTLP_ENDPOINT names a collector (OTLP over HTTP, protobuf).

The Gateway's server span comes from FastAPI's instrumentation (AccessMiddleware puts the
request id on it); a handle call carries the W3C trace context (`traceparent`) as an argument,
and the deployment answering it opens its span as that span's child, so one request is one
trace whichever replicas served it. Each process has a tracer provider of its own, not the
global one, so that tests can build several apps in one process."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from opentelemetry import propagate
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Tracer

from deployments.settings import Settings

# Probes and scrapes come every few seconds and say nothing about a request's path.
UNTRACED_URLS = "/api/v1/health,/api/v1/ready,/metrics"


def tracer_provider(settings: Settings, component: str) -> TracerProvider | None:
    """The provider exporting `component`'s spans (service.name parla-<component>) to
    OTLP_ENDPOINT; None when tracing is off."""
    if not settings.otlp_endpoint:
        return None
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"parla-{component.lower()}"})
    )
    endpoint = f"{settings.otlp_endpoint.rstrip('/')}/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


async def flush(provider: TracerProvider | None) -> None:
    """Exports the spans still waiting in the batch (at shutdown)."""
    if provider is not None:
        await asyncio.to_thread(provider.shutdown)


def trace_app(app: FastAPI, provider: TracerProvider | None) -> FastAPI:
    """A server span for every request the app answers, when tracing is on."""
    if provider is not None:
        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls=UNTRACED_URLS
        )
    return app


def outgoing_context() -> dict[str, str]:
    """The current span's context as W3C headers, for a call to another deployment (empty
    when nothing is traced)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def served_span(tracer: Tracer | None, name: str, context: dict[str, str] | None) -> Iterator[None]:
    """A span for a call this deployment answers, child of the caller's span in `context`."""
    if tracer is None:
        yield
        return
    parent = propagate.extract(context or {})
    with tracer.start_as_current_span(name, context=parent, kind=SpanKind.SERVER):
        yield
