"""Parla's metrics under `make run`, where a platform team scrapes them: Ray's metrics
exporter on METRICS_PORT, next to Ray Serve's own; and one trace per request across the
Gateway and the SpeechScoring deployment."""

import asyncio
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from adapters.speech.espeak import EspeakSynthesizer
from tests.support.otlp import OtlpReceiver

# Ray's agent gathers the replicas' metrics every few seconds (10 s at most by default).
SCRAPE_WITHIN_SECONDS = 60


def scrape(port: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Series name -> its samples' labels and values."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    series: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            series.setdefault(sample.name, []).append((sample.labels, sample.value))
    return series


def value(series: dict, name: str, **labels: str) -> float:
    """The sum over replicas of `name`'s samples that carry `labels`."""
    return sum(v for found, v in series.get(name, []) if labels.items() <= found.items())


def test_parla_metrics_reach_rays_exporter(server: str, launch_env: dict[str, str]):
    text = "Where is the nearest train station"
    wav = asyncio.run(EspeakSynthesizer().synthesize(text)).audio
    with httpx.Client(base_url=server, timeout=60) as client:
        token = client.post(
            "/api/v1/auth/register",
            json={"email": "metered@example.com", "password": "SecurePass123", "name": "M"},
        ).json()["access_token"]
        for _ in range(3):
            assert client.get("/api/v1/tags").status_code == 200
        scored = client.post(
            "/api/v1/speech/score",
            headers={"Authorization": f"Bearer {token}"},
            data={"reference_text": text},
            files={"audio": ("take.wav", wav, "audio/wav")},
        )
        assert scored.status_code == 200, scored.text

    tags = {"route": "/api/v1/tags", "method": "GET", "status": "2xx"}
    scoring = {"port": "speech_scorer", "provider": "pocketsphinx"}
    deadline = time.monotonic() + SCRAPE_WITHIN_SECONDS
    while True:
        series = scrape(launch_env["METRICS_PORT"])
        if (
            value(series, "ray_parla_http_requests_total", **tags) >= 3
            and value(series, "ray_parla_provider_call_duration_seconds_count", **scoring) >= 1
        ):
            break
        assert time.monotonic() < deadline, sorted(n for n in series if "parla" in n)
        time.sleep(2)

    # Tagged by Ray Serve with the replica that recorded them.
    ((labels, _), *_) = [
        s for s in series["ray_parla_http_requests_total"] if s[0]["route"] == tags["route"]
    ]
    assert labels["deployment"] == "Gateway" and labels["application"] == "parla"
    assert value(series, "ray_parla_http_request_duration_seconds_count", route="/api/v1/tags") >= 3
    assert "ray_parla_http_request_duration_seconds_bucket" in series
    # The scoring call went through the handle: counted in flight, and back to none.
    in_flight = series.get("ray_parla_deployment_calls_in_flight", [])
    assert any(labels["called_deployment"] == "SpeechScoring" for labels, _ in in_flight)
    assert (
        value(series, "ray_parla_deployment_calls_in_flight", called_deployment="SpeechScoring")
        == 0
    )
    (scorer_labels, _), *_ = [
        s
        for s in series["ray_parla_provider_call_duration_seconds_count"]
        if s[0]["port"] == "speech_scorer"
    ]
    assert scorer_labels["deployment"] == "SpeechScoring"
    assert value(series, "ray_parla_provider_circuit_open", **scoring) == 0
    assert value(series, "ray_parla_db_pool_size_connections") >= 1
    # Ray Serve's own metrics come from the same target.
    assert any(name.startswith("ray_serve_") for name in series)


def test_one_trace_spans_the_gateway_and_speech_scoring(server: str, collector: OtlpReceiver):
    text = "Good morning"
    wav = asyncio.run(EspeakSynthesizer().synthesize(text)).audio
    with httpx.Client(base_url=server, timeout=60) as client:
        token = client.post(
            "/api/v1/auth/register",
            json={"email": "traced@example.com", "password": "SecurePass123", "name": "T"},
        ).json()["access_token"]
        scored = client.post(
            "/api/v1/speech/score",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "traced-score-1"},
            data={"reference_text": text},
            files={"audio": ("take.wav", wav, "audio/wav")},
        )
        assert scored.status_code == 200, scored.text

    deadline = time.monotonic() + 30
    while True:
        spans = collector.received()
        gateway = [s for s in spans if s.attributes.get("parla.request_id") == "traced-score-1"]
        scoring = [
            s
            for s in spans
            if s.service == "parla-speechscoring" and gateway and s.trace_id == gateway[0].trace_id
        ]
        if gateway and scoring:
            break
        assert time.monotonic() < deadline, sorted({(s.service, s.name) for s in spans})
        time.sleep(0.5)

    (request,) = gateway
    (score,) = scoring
    assert request.service == "parla-gateway"
    assert request.attributes["http.route"] == "/api/v1/speech/score"
    assert score.name == "SpeechScoring.score"
    assert score.parent_span_id == request.span_id
