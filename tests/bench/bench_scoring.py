"""Pronunciation scoring speed: throughput, latency and real-time factor on 3-second clips.

    .venv/bin/python -m tests.bench.bench_scoring [--rounds N]

Prints a Markdown table and writes tests/bench/results/scoring.json. Each section is one way of
running the scorer, measured on the same clips in the same run: in this process, and through
the SpeechScoring deployment's handle with 1 and 2 replicas (its serve_config.yaml options, a
fixed replica count instead of autoscaling). Each Ray section is measured with one request in
flight (the latency Ray Serve adds to a single request) and with four (the throughput the
replicas give). The benchmark runs at nice 15, the priority of Ray's workers, so that the
in-process scorer and the replicas compete alike with whatever else the machine runs.

The clips are eSpeak NG sentences padded with faint noise to exactly CLIP_SECONDS. The
real-time factor is processing time / audio duration, on wall-clock time and, because a
shared machine's other work inflates wall-clock time, on this process's CPU time too.
"""

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import ray

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak import EspeakSynthesizer
from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer
from ports.scoring import PcmAudio
from tests.bench.servers import deployment_config

CLIP_SECONDS = 3.0
RESULTS = Path(__file__).parent / "results" / "scoring.json"
RAY_NICE = 15
CONCURRENT = 4  # requests in flight in the throughput runs: two per replica at most
# (sentence, voice, speed): each lasts 2.2-3.0 s as synthesized.
SENTENCES = [
    ("Could you tell me the way to the railway station?", "en-us", 1.0),
    ("My brother plays football with his friends every Saturday.", "en-gb+f3", 1.0),
    ("I would like a large cup of coffee with milk, please.", "en-us+f3", 1.0),
    ("We usually have dinner together at seven o'clock.", "en-gb", 1.0),
    ("Although it was raining, we decided to go for a walk.", "en-029", 1.1),
    ("She has been learning English for almost three years.", "en-gb-scotland", 1.0),
]


@dataclass(frozen=True)
class Clip:
    audio: PcmAudio
    text: str


@dataclass(frozen=True)
class Measurement:
    scores: int
    clip_seconds: float
    scores_per_second: float
    latency_p50_ms: float
    latency_p95_ms: float
    real_time_factor: float  # mean latency / clip duration
    # mean CPU time of this process / clip duration; in-process only
    cpu_real_time_factor: float | None


Results = dict[str, Measurement]
Section = Callable[[list[Clip], int, PocketsphinxScorer], Results]


async def make_clips() -> list[Clip]:
    synthesizer = EspeakSynthesizer()
    clips = []
    for text, voice, speed in SENTENCES:
        speech = await synthesizer.synthesize(text, voice=voice, speed=speed)
        pcm = await asyncio.to_thread(decode_to_pcm, speech.audio)
        clips.append(Clip(padded(pcm, CLIP_SECONDS), text))
    return clips


def padded(audio: PcmAudio, seconds: float) -> PcmAudio:
    """`audio` centred in `seconds` of faint noise, as a recording's silence would be."""
    samples = np.frombuffer(audio.samples, dtype="<i2")
    missing = int(seconds * audio.sample_rate) - len(samples)
    if missing < 0:
        raise ValueError(f"A clip is longer than {seconds} s: shorten its sentence.")
    noise = np.random.default_rng(1).normal(0, 30, missing).astype("<i2")
    joined = np.concatenate([noise[: missing // 2], samples, noise[missing // 2 :]])
    return PcmAudio(joined.tobytes(), audio.sample_rate)


def summarize(latencies: list[float], elapsed: float, cpu: float | None) -> Measurement:
    return Measurement(
        scores=len(latencies),
        clip_seconds=CLIP_SECONDS,
        scores_per_second=round(len(latencies) / elapsed, 2),
        latency_p50_ms=round(1000 * statistics.median(latencies), 1),
        latency_p95_ms=round(1000 * statistics.quantiles(latencies, n=20)[-1], 1),
        real_time_factor=round(statistics.mean(latencies) / CLIP_SECONDS, 4),
        cpu_real_time_factor=None if cpu is None else round(cpu / len(latencies) / CLIP_SECONDS, 4),
    )


def in_process(clips: list[Clip], rounds: int, scorer: PocketsphinxScorer) -> Results:
    """The scorer scoring the clips one after another, in this process."""
    latencies, cpu = [], 0.0
    started = time.perf_counter()
    for _ in range(rounds):
        for clip in clips:
            wall, process = time.perf_counter(), time.process_time()
            scorer.score_blocking(clip.audio, clip.text, "en-US")
            latencies.append(time.perf_counter() - wall)
            cpu += time.process_time() - process
    return {"in-process": summarize(latencies, time.perf_counter() - started, cpu)}


def scoring_options() -> dict:
    """SpeechScoring's options from serve_config.yaml, without its replica settings."""
    deployment = deployment_config("SpeechScoring")
    return {
        "max_ongoing_requests": deployment["max_ongoing_requests"],
        "ray_actor_options": deployment["ray_actor_options"],
    }


async def side_by_side(
    handle, clips: list[Clip], rounds: int, scorer: PocketsphinxScorer
) -> tuple[Measurement, float]:
    """One request at a time, each clip scored in this process and then through the handle:
    the handle's latencies and the median of the per-clip ratios, so that the machine's
    changing load weighs on both alike."""
    latencies, ratios = [], []
    for _ in range(rounds):
        for clip in clips:
            local = time.perf_counter()
            scorer.score_blocking(clip.audio, clip.text, "en-US")
            sent = time.perf_counter()
            await handle.score.remote(clip.audio, clip.text, "en-US")
            latencies.append(time.perf_counter() - sent)
            ratios.append(latencies[-1] / (sent - local))
    # The elapsed time holds the in-process scorings too: count only the handle's.
    return summarize(latencies, sum(latencies), None), statistics.median(ratios)


async def concurrently(handle, clips: list[Clip], rounds: int, in_flight: int) -> Measurement:
    """`rounds` passes over the clips with `in_flight` requests outstanding at a time."""
    jobs = [clip for _ in range(rounds) for clip in clips]
    latencies: list[float] = []

    async def worker() -> None:
        while jobs:
            clip = jobs.pop()
            sent = time.perf_counter()
            await handle.score.remote(clip.audio, clip.text, "en-US")
            latencies.append(time.perf_counter() - sent)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return summarize(latencies, time.perf_counter() - started, None)


def ray_serve(replicas: int) -> Section:
    def measure(clips: list[Clip], rounds: int, scorer: PocketsphinxScorer) -> Results:
        from ray import serve

        from deployments.speech_scoring import SpeechScoring

        app = SpeechScoring.options(num_replicas=replicas, **scoring_options()).bind()
        handle = serve.run(app, name="bench-scoring", route_prefix=None)
        name = f"Ray Serve, {replicas} replica{'s' if replicas > 1 else ''}"

        async def run() -> Results:
            # Warm-up: every replica scores once.
            await asyncio.gather(
                *(handle.score.remote(c.audio, c.text, "en-US") for c in clips[: 2 * replicas])
            )
            single, ratio = await side_by_side(handle, clips, rounds, scorer)
            OVERHEADS[name] = ratio - 1
            return {
                f"{name}, 1 in flight": single,
                f"{name}, {CONCURRENT} in flight": await concurrently(
                    handle, clips, rounds, CONCURRENT
                ),
            }

        try:
            return asyncio.run(run())
        finally:
            serve.delete("bench-scoring")

    return measure


# Per Ray Serve setup: median latency through the handle over in-process, minus one.
OVERHEADS: dict[str, float] = {}
SECTIONS: list[Section] = [in_process, ray_serve(1), ray_serve(2)]


def markdown(results: dict[str, Measurement]) -> str:
    lines = [
        "| setup | scores | scores/s | p50 ms | p95 ms | RTF (wall) | RTF (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m in results.items():
        lines.append(
            f"| {name} | {m.scores} | {m.scores_per_second} | {m.latency_p50_ms} | "
            f"{m.latency_p95_ms} | {m.real_time_factor} | {m.cpu_real_time_factor or '-'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the clips")
    args = parser.parse_args()
    os.nice(RAY_NICE - os.nice(0))
    clips = asyncio.run(make_clips())
    scorer = PocketsphinxScorer()
    scorer.score_blocking(clips[0].audio, clips[0].text, "en-US")  # warm-up: caches, pages
    results: Results = {}
    try:
        for section in SECTIONS:
            results |= section(clips, args.rounds, scorer)
    finally:
        ray.shutdown()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "results": {name: asdict(m) for name, m in results.items()},
        "ray_serve_latency_overhead": {name: round(o, 4) for name, o in OVERHEADS.items()},
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"Pronunciation scoring, {CLIP_SECONDS:g}-second clips\n")
    print(markdown(results))
    for name, overhead in OVERHEADS.items():
        print(f"{name}, one request at a time: {overhead:+.1%} latency over in-process")
    print(f"\nWritten to {RESULTS}")


if __name__ == "__main__":
    main()
