"""Parla's metrics, declared once, and the two places they go (the composition root picks):

- RayMetrics: Ray's metrics API (`ray.serve.metrics`), in every Ray Serve replica. Each
  replica's numbers reach the node's metrics exporter, which a platform team scrapes next
  to Ray Serve's own metrics; Ray names them `ray_` + the name below, and tags them with the
  deployment and replica.
- PrometheusMetrics: a Prometheus registry of the process's own, served at /metrics under
  plain uvicorn (deployments/asgi.py), and read directly by tests.

Both export the same names (Ray's with its `ray_` prefix): a counter `N` as `N_total`, a
histogram as `N_bucket`, `N_sum` and `N_count`, a gauge as `N`."""

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response


class Kind(Enum):
    COUNTER = "counter"
    HISTOGRAM = "histogram"
    GAUGE = "gauge"


@dataclass(frozen=True)
class Instrument:
    name: str
    kind: Kind
    description: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()

    def exported_names(self, prefix: str = "") -> set[str]:
        """The series names a scrape shows for this instrument."""
        name = prefix + self.name
        if self.kind is Kind.COUNTER:
            return {f"{name}_total"}
        if self.kind is Kind.HISTOGRAM:
            return {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
        return {name}


# From a cached JSON answer (milliseconds) to a cloud provider's slow synthesis (a minute).
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

HTTP_REQUESTS = Instrument(
    "parla_http_requests",
    Kind.COUNTER,
    "HTTP requests answered, by route template, method and status class (2xx, 4xx, 5xx)",
    ("route", "method", "status"),
)
HTTP_DURATION = Instrument(
    "parla_http_request_duration_seconds",
    Kind.HISTOGRAM,
    "Time from a request's arrival at the app to the end of its answer",
    ("route", "method"),
    SECONDS,
)
DB_POOL_CHECKED_OUT = Instrument(
    "parla_db_pool_checked_out_connections",
    Kind.GAUGE,
    "Database connections this process's pool has lent out",
)
DB_POOL_SIZE = Instrument(
    "parla_db_pool_size_connections",
    Kind.GAUGE,
    "Connections this process's database pool keeps (overflow aside)",
)
PROVIDER_DURATION = Instrument(
    "parla_provider_call_duration_seconds",
    Kind.HISTOGRAM,
    "Time a provider took to answer (or fail), by port and provider",
    ("port", "provider"),
    SECONDS,
)
PROVIDER_FAILURES = Instrument(
    "parla_provider_failures",
    Kind.COUNTER,
    "Calls a provider failed as unavailable, by port and provider",
    ("port", "provider"),
)
CIRCUIT_OPEN = Instrument(
    "parla_provider_circuit_open",
    Kind.GAUGE,
    "1 while a provider's circuit breaker is open (calls skip it), else 0",
    ("port", "provider"),
)
DEPLOYMENT_CALLS = Instrument(
    "parla_deployment_calls_in_flight",
    Kind.GAUGE,
    "Calls this replica has waiting on another deployment: that deployment's queue as "
    "seen from here",
    # "deployment" itself is the tag Ray Serve gives every metric: the replica's own.
    ("called_deployment",),
)
WEBSOCKETS = Instrument(
    "parla_websockets_open",
    Kind.GAUGE,
    "Open WebSockets, by route template (the kind of socket)",
    ("route",),
)
INSTRUMENTS = (
    HTTP_REQUESTS,
    HTTP_DURATION,
    DB_POOL_CHECKED_OUT,
    DB_POOL_SIZE,
    PROVIDER_DURATION,
    PROVIDER_FAILURES,
    CIRCUIT_OPEN,
    DEPLOYMENT_CALLS,
    WEBSOCKETS,
)
RAY_PREFIX = "ray_"


def exported_names(prefix: str = "") -> set[str]:
    """Every series name Parla's metrics export (with Ray's prefix under Ray Serve)."""
    return {name for instrument in INSTRUMENTS for name in instrument.exported_names(prefix)}


class _Recorded:
    """The Metrics port over the instruments above; a backend says how a value is kept."""

    def _add(self, instrument: Instrument, amount: float, labels: Mapping[str, str]) -> None:
        raise NotImplementedError

    def _observe(self, instrument: Instrument, value: float, labels: Mapping[str, str]) -> None:
        raise NotImplementedError

    def _set(self, instrument: Instrument, value: float, labels: Mapping[str, str]) -> None:
        raise NotImplementedError

    def request_finished(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = {"route": route, "method": method}
        self._observe(HTTP_DURATION, seconds, labels)
        self._add(HTTP_REQUESTS, 1, {**labels, "status": f"{status // 100}xx"})

    def provider_answered(self, port: str, provider: str, seconds: float) -> None:
        self._observe(PROVIDER_DURATION, seconds, {"port": port, "provider": provider})

    def provider_failed(self, port: str, provider: str, seconds: float) -> None:
        labels = {"port": port, "provider": provider}
        self._observe(PROVIDER_DURATION, seconds, labels)
        self._add(PROVIDER_FAILURES, 1, labels)

    def circuit_changed(self, port: str, provider: str, is_open: bool) -> None:
        self._set(CIRCUIT_OPEN, 1 if is_open else 0, {"port": port, "provider": provider})

    def deployment_calls_changed(self, deployment: str, delta: int) -> None:
        self._add(DEPLOYMENT_CALLS, delta, {"called_deployment": deployment})

    def socket_changed(self, route: str, delta: int) -> None:
        self._add(WEBSOCKETS, delta, {"route": route})

    def database_pool(self, checked_out: int, size: int) -> None:
        self._set(DB_POOL_CHECKED_OUT, checked_out, {})
        self._set(DB_POOL_SIZE, size, {})


_PROMETHEUS_TYPES = {Kind.COUNTER: Counter, Kind.HISTOGRAM: Histogram, Kind.GAUGE: Gauge}


class PrometheusMetrics(_Recorded):
    """Metrics in a registry of their own (so that every app a test builds counts apart)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._metrics: dict[Instrument, Any] = {}
        for instrument in INSTRUMENTS:
            options: dict[str, Any] = {"buckets": instrument.buckets} if instrument.buckets else {}
            self._metrics[instrument] = _PROMETHEUS_TYPES[instrument.kind](
                instrument.name,
                instrument.description,
                instrument.labels,
                registry=self.registry,
                **options,
            )

    def _child(self, instrument: Instrument, labels: Mapping[str, str]) -> Any:
        metric = self._metrics[instrument]
        return metric.labels(**labels) if labels else metric

    def _add(self, instrument: Instrument, amount: float, labels: Mapping[str, str]) -> None:
        self._child(instrument, labels).inc(amount)

    def _observe(self, instrument: Instrument, value: float, labels: Mapping[str, str]) -> None:
        self._child(instrument, labels).observe(value)

    def _set(self, instrument: Instrument, value: float, labels: Mapping[str, str]) -> None:
        self._child(instrument, labels).set(value)

    async def scrape(self, request: Request) -> Response:
        """The endpoint Prometheus scrapes: every metric in its text format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class RayMetrics(_Recorded):
    """Metrics through Ray Serve's metrics API: create it inside a replica, which tags every
    value with its deployment and replica."""

    def __init__(self) -> None:
        from ray.serve import metrics  # only Ray Serve's replicas load it

        types = {
            Kind.COUNTER: metrics.Counter,
            Kind.HISTOGRAM: metrics.Histogram,
            Kind.GAUGE: metrics.Gauge,
        }
        self._metrics: dict[Instrument, Any] = {}
        for instrument in INSTRUMENTS:
            options: dict[str, Any] = (
                {"boundaries": list(instrument.buckets)} if instrument.buckets else {}
            )
            self._metrics[instrument] = types[instrument.kind](
                instrument.name,
                description=instrument.description,
                tag_keys=instrument.labels,
                **options,
            )
        # Ray's gauges are set, not moved: the running values of the moved ones live here.
        self._levels: dict[tuple[Instrument, tuple[tuple[str, str], ...]], float] = {}
        self._lock = threading.Lock()

    def _add(self, instrument: Instrument, amount: float, labels: Mapping[str, str]) -> None:
        if instrument.kind is Kind.COUNTER:
            self._metrics[instrument].inc(amount, tags=dict(labels))
            return
        key = (instrument, tuple(sorted(labels.items())))
        with self._lock:
            level = self._levels[key] = self._levels.get(key, 0) + amount
            self._metrics[instrument].set(level, tags=dict(labels))

    def _observe(self, instrument: Instrument, value: float, labels: Mapping[str, str]) -> None:
        self._metrics[instrument].observe(value, tags=dict(labels))

    def _set(self, instrument: Instrument, value: float, labels: Mapping[str, str]) -> None:
        self._metrics[instrument].set(value, tags=dict(labels))
