"""Metrics: what the adapters measure about Parla at work, for the platform team's scraper.

The domain measures nothing; adapters record through this port (the HTTP middleware, the
provider chains, the deployment handles, the database pool) and the composition root picks
where the numbers go (Ray's metrics exporter under Ray Serve, a Prometheus endpoint under
plain uvicorn). Recording never raises and never waits."""

from typing import Protocol


class Metrics(Protocol):
    def request_finished(self, method: str, route: str, status: int, seconds: float) -> None:
        """An HTTP request answered `status` after `seconds`; `route` is the path template
        of the route that matched ("/api/v1/speeches/{speech_id}"), never the raw path."""
        ...

    def provider_answered(self, port: str, provider: str, seconds: float) -> None:
        """A provider (`port` one of speech_scorer, recognizer, synthesizer, language_model)
        answered a call in `seconds`."""
        ...

    def provider_failed(self, port: str, provider: str, seconds: float) -> None:
        """A provider was unavailable (the failure a fallback or circuit breaker counts)."""
        ...

    def circuit_changed(self, port: str, provider: str, is_open: bool) -> None:
        """A provider's circuit breaker opened (calls skip it) or closed again."""
        ...

    def deployment_calls_changed(self, deployment: str, delta: int) -> None:
        """Calls of this replica waiting on another deployment (SpeechScoring, Tutor,
        SpeechIO) went up or down by `delta`: that deployment's queue as this replica
        sees it."""
        ...

    def socket_changed(self, route: str, delta: int) -> None:
        """The open WebSockets of a route template went up or down by `delta`."""
        ...

    def database_pool(self, checked_out: int, size: int) -> None:
        """The database pool lends `checked_out` of its `size` connections."""
        ...
