"""Concurrency checks that a steady wrk load does not show: a burst of scoring requests far
beyond what the scoring replicas run at once, which must queue and scale the SpeechScoring
deployment out (its replica count sampled over time, until it is back to its minimum); and
many idle keep-alive connections, held open and then used again, while other requests keep
being answered."""

import asyncio
import statistics
import threading
import time
from dataclasses import dataclass, field

import httpx

from tests.bench.scenarios import Request
from tests.bench.servers import RunningServer, deployment_config

SCORING_REPLICA = "ray::ServeReplica:parla:SpeechScoring"
MIN_REPLICAS = deployment_config("SpeechScoring")["autoscaling_config"]["min_replicas"]
SAMPLE_SECONDS = 1.0
# serve_config.yaml's downscale_delay_s is 60, after Ray's 30 s look-back window: wait that,
# and a margin, for the deployment to scale back in.
SCALE_IN_WAIT_SECONDS = 150
IDLE_SECONDS = 20


@dataclass
class BurstOutcome:
    requests: int
    concurrency: int
    statuses: dict[int, int]
    lost: int  # no answer: connection errors and timeouts
    p50_ms: float
    p95_ms: float
    max_ms: float
    seconds: float
    # (seconds from the burst's start, count): where the count changed, and the last sample
    replicas_over_time: list[tuple[float, int]] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 400) + self.lost


@dataclass
class IdleOutcome:
    connections: int
    held_seconds: float
    first_ok: int  # answered 200 when each connection opened
    reused_ok: int  # answered 200 on the same connection after the idle time
    closed_by_server: int  # idle connections the server had closed when used again
    errors: int
    busy_p50_ms: float  # /health latency on another connection while the idle ones are held


class ReplicaSampler:
    """Counts the server's SpeechScoring replica processes once a second, in a thread."""

    def __init__(self, server: RunningServer) -> None:
        self._server = server
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()
        self.samples: list[tuple[float, int]] = []

    def count(self) -> int:
        return sum(p.role == SCORING_REPLICA for p in self._server.family())

    def wait_for_minimum(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.count() > MIN_REPLICAS:
            time.sleep(SAMPLE_SECONDS)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self.started, self.count()))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> "ReplicaSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.monotonic() - self.started, self.count()))  # where it ended


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _send_all(base_url: str, requests: list[Request], concurrency: int) -> BurstOutcome:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    lost = 0
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=300) as client:

        async def send(r: Request) -> None:
            nonlocal lost
            sent = time.perf_counter()
            try:
                answer = await client.request(
                    r.method, r.path, headers=dict(r.headers), content=r.body
                )
            except httpx.HTTPError:
                lost += 1
                return
            latencies.append(1000 * (time.perf_counter() - sent))
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(send(r) for r in requests))
        seconds = time.perf_counter() - began
    return BurstOutcome(
        requests=len(requests),
        concurrency=concurrency,
        statuses=statuses,
        lost=lost,
        p50_ms=round(statistics.median(latencies), 1) if latencies else 0.0,
        p95_ms=round(_quantile(latencies, 0.95), 1),
        max_ms=round(max(latencies, default=0.0), 1),
        seconds=round(seconds, 1),
    )


def scoring_burst(server: RunningServer, requests: list[Request], concurrency: int) -> BurstOutcome:
    """`concurrency` scoring requests at once. On Ray Serve the burst starts once the
    deployment is at its minimum replica count, and the count is sampled until it is back
    there (or SCALE_IN_WAIT_SECONDS after the burst)."""
    batch = [requests[n % len(requests)] for n in range(concurrency)]
    with ReplicaSampler(server) as sampler:
        scaled = sampler.count() > 0  # the baseline scores in process: no replicas
        if scaled:
            sampler.wait_for_minimum(SCALE_IN_WAIT_SECONDS)
        burst_started = time.monotonic() - sampler.started
        outcome = asyncio.run(_send_all(server.base_url, batch, concurrency))
        if scaled:
            sampler.wait_for_minimum(SCALE_IN_WAIT_SECONDS)
    outcome.replicas_over_time = [
        (round(t - burst_started, 1), n) for t, n in _changes(sampler.samples)
    ]
    return outcome


def _changes(samples: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The samples where the count changed, and the last one."""
    kept = [s for i, s in enumerate(samples) if i == 0 or s[1] != samples[i - 1][1]]
    if samples and kept[-1] != samples[-1]:
        kept.append(samples[-1])
    return kept


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Sends one HTTP/1.1 request on an open connection; the answer's status code."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
         if line.lower().startswith(b"content-length:")),
        0,
    )  # fmt: skip
    await reader.readexactly(length)
    return status


async def _idle(base_url: str, connections: int, path: str) -> IdleOutcome:
    host, port = httpx.URL(base_url).host, httpx.URL(base_url).port
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    streams = []
    errors = first = reused = closed = 0
    try:
        for _ in range(connections):
            try:
                reader, writer = await asyncio.open_connection(host, port)
                ok = await _exchange(reader, writer, request) == 200
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                continue
            first += ok
            errors += not ok
            streams.append((reader, writer))
        busy: list[float] = []
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as probe:
            began = time.monotonic()
            while time.monotonic() - began < IDLE_SECONDS:
                sent = time.perf_counter()
                errors += (await probe.get(path)).status_code != 200
                busy.append(1000 * (time.perf_counter() - sent))
                await asyncio.sleep(0.1)
        for reader, writer in streams:
            try:
                reused += await _exchange(reader, writer, request) == 200
            except (OSError, asyncio.IncompleteReadError):
                closed += 1  # the server let the idle connection go
    finally:
        for _, writer in streams:
            writer.close()
    return IdleOutcome(
        connections=connections,
        held_seconds=IDLE_SECONDS,
        first_ok=first,
        reused_ok=reused,
        closed_by_server=closed,
        errors=errors,
        busy_p50_ms=round(statistics.median(busy), 1),
    )


def idle_connections(server: RunningServer, connections: int, path: str) -> IdleOutcome:
    """`connections` keep-alive connections each answered once, held idle for IDLE_SECONDS
    while another client keeps asking, then each used again."""
    return asyncio.run(_idle(server.base_url, connections, path))
