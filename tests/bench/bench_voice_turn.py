"""One full voice turn with the offline defaults: recognition (Whisper base), the tutor
(SmolLM2-135M and Harper) and the spoken reply (eSpeak NG), stage by stage.

    .venv/bin/python -m tests.bench.bench_voice_turn [--rounds N] [--served]

Each round takes a 3-second learner utterance (eSpeak NG, one of several sentences, some with
mistakes) through the same use case the API runs (domain.tutor.voice.take_voice_turn) on a
migrated SQLite database, and times every stage: decoding, recognition, the tutor's reply,
storing the turn, and synthesis of the whole reply. It then times the first MP3 chunk of the
same reply streamed (what a client waiting on /speech/synthesize/stream hears first).
Prints p50/p95 per stage and each stage's share of the turn, and writes
tests/bench/results/voice_turn.json. Models are loaded and warmed before timing.

With --served it also starts the product as `make run` does (Ray Serve, in a temporary
directory) and times, over HTTP from a client at nice 19, the same turns sent to
POST /conversations/sessions/{id}/audio (Gateway -> SpeechIO -> Tutor -> SpeechIO) and
the first byte of each reply streamed by POST /speech/synthesize/stream.
"""

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from adapters.metrics import PrometheusMetrics
from adapters.speech.codec import PyAVAudioDecoder
from adapters.speech.espeak import EspeakSynthesizer
from adapters.sql.migrate import upgrade_to_head
from deployments.providers import build_recognizer, build_synthesizer, build_tutor
from deployments.wiring import bootstrap
from domain.identity.authentication import Register, register
from domain.recordings import decode_recording
from domain.tutor import sessions
from domain.tutor.voice import TUTOR_LANGUAGE
from ports.cefr import CefrLevel
from ports.tutoring import InputMode
from tests.bench.servers import Stack, ray_serve
from tests.support.api import isolated_settings

RESULTS = Path(__file__).parent / "results" / "voice_turn.json"
UTTERANCES = [
    "Yesterday I go to the market and buy some apples.",
    "I like to read books about history in the evening.",
    "My sister have two children and they goes to school.",
    "We are planning a trip to the mountains next summer.",
]
STAGES = ("decode", "recognize", "tutor", "store", "synthesize")


@dataclass
class Round:
    seconds: dict[str, float]
    audio_seconds: float
    transcript: str
    reply: str
    first_chunk: float


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as var:
        settings = isolated_settings(Path(var))
        await upgrade_to_head(settings.resolved_database_url)
        metrics = PrometheusMetrics()
        recognizer, tutor = build_recognizer(settings, metrics), build_tutor(settings, metrics)
        synthesizer = build_synthesizer(settings, metrics)
        container = bootstrap(
            settings, tutor=tutor, synthesizer=synthesizer, recognizer=recognizer, metrics=metrics
        )
        uow = container.unit_of_work
        signed_up = await register(
            Register("bench@example.com", "BenchPass123", "Bench"), uow(), container.credentials
        )
        user = signed_up.user
        voice = EspeakSynthesizer()
        decoder = PyAVAudioDecoder()
        recordings = [
            (await voice.synthesize(u, voice="en-us", speed=0.95)).audio for u in UTTERANCES
        ]
        results: list[Round] = []
        for i in range(rounds + 1):  # round 0 warms every model up and is not counted
            session, _ = await sessions.start_session(user.id, CefrLevel.A2, "daily life", uow())
            recording = recordings[i % len(recordings)]
            t: dict[str, float] = {}
            start = time.perf_counter()
            audio = await decode_recording(recording, decoder)
            t["decode"] = time.perf_counter()
            transcript = await recognizer.transcribe(audio, language=TUTOR_LANGUAGE)
            t["recognize"] = time.perf_counter()
            session_id = session.id
            turn = await sessions.take_turn(
                user.id, session_id, transcript.text, InputMode.AUDIO, _Timed(tutor, t), uow()
            )
            t["store"] = time.perf_counter()
            await synthesizer.synthesize(turn.tutor.text)
            t["synthesize"] = time.perf_counter()
            stream_start = time.perf_counter()
            chunks = synthesizer.stream(turn.tutor.text)
            await anext(chunks)
            first_chunk = time.perf_counter() - stream_start
            async for _ in chunks:
                pass
            marks = [start] + [t[s] for s in STAGES]
            seconds = {s: marks[k + 1] - marks[k] for k, s in enumerate(STAGES)}
            if i:
                results.append(
                    Round(
                        seconds,
                        audio.duration_seconds,
                        transcript.text,
                        turn.tutor.text,
                        first_chunk,
                    )
                )
        await container.aclose()
    totals = [sum(r.seconds.values()) for r in results]
    report = {
        "rounds": rounds,
        "utterance_seconds": statistics.median(r.audio_seconds for r in results),
        "turn": {"p50": statistics.median(totals), "p95": percentile(totals, 95)},
        "stages": {
            s: {
                "p50": statistics.median(r.seconds[s] for r in results),
                "p95": percentile([r.seconds[s] for r in results], 95),
                "share": sum(r.seconds[s] for r in results) / sum(totals),
            }
            for s in STAGES
        },
        "first_audio_chunk": {
            "p50": statistics.median(r.first_chunk for r in results),
            "p95": percentile([r.first_chunk for r in results], 95),
        },
        "examples": [{"heard": r.transcript, "reply": r.reply} for r in results[: len(UTTERANCES)]],
    }
    return report


class _Timed:
    """The tutor, with the moment its reply arrived noted (the store stage starts there)."""

    def __init__(self, tutor, marks: dict[str, float]) -> None:
        self._tutor, self._marks = tutor, marks

    async def reply(self, context, learner_text):
        reply = await self._tutor.reply(context, learner_text)
        self._marks["tutor"] = time.perf_counter()
        return reply


def served(rounds: int) -> dict:
    """The same turns through the Ray Serve application, over HTTP."""
    recordings = [
        asyncio.run(EspeakSynthesizer().synthesize(u, voice="en-us", speed=0.95)).audio
        for u in UTTERANCES
    ]
    turns, first_bytes = [], []
    with (
        tempfile.TemporaryDirectory() as workdir,
        ray_serve(Path(workdir), Stack()) as server,
    ):
        os.nice(19)  # started after the server: the client must not take CPU from Ray's workers
        with httpx.Client(base_url=server.base_url, timeout=120) as client:
            token = client.post(
                "/api/v1/auth/register",
                json={"email": "bench@example.com", "password": "BenchPass123", "name": "B"},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            for i in range(rounds + 1):
                session = client.post(
                    "/api/v1/conversations/sessions", json={"level": "A2"}, headers=headers
                ).json()
                start = time.perf_counter()
                turn = client.post(
                    f"/api/v1/conversations/sessions/{session['id']}/audio",
                    files={"audio": ("turn.wav", recordings[i % len(recordings)], "audio/wav")},
                    headers=headers,
                )
                elapsed = time.perf_counter() - start
                turn.raise_for_status()
                reply = turn.json()["tutor_message"]["text"]
                start = time.perf_counter()
                with client.stream(
                    "POST",
                    "/api/v1/speech/synthesize/stream",
                    json={"text": reply},
                    headers=headers,
                ) as streamed:
                    streamed.raise_for_status()
                    chunks = streamed.iter_raw()
                    next(chunks)
                    first_byte = time.perf_counter() - start
                    for _ in chunks:
                        pass
                if i:  # round 0 loads the models in the deployments
                    turns.append(elapsed)
                    first_bytes.append(first_byte)
    return {
        "turn": {"p50": statistics.median(turns), "p95": percentile(turns, 95)},
        "first_audio_byte": {
            "p50": statistics.median(first_bytes),
            "p95": percentile(first_bytes, 95),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--served", action="store_true")
    options = parser.parse_args()
    report = asyncio.run(run(options.rounds))
    if options.served:
        report["served"] = served(options.rounds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print("| stage | p50 s | p95 s | share |\n|---|---|---|---|")
    for s, m in report["stages"].items():
        print(f"| {s} | {m['p50']:.3f} | {m['p95']:.3f} | {m['share']:.0%} |")
    turn = report["turn"]
    print(f"| whole turn | {turn['p50']:.3f} | {turn['p95']:.3f} | |")
    first = report["first_audio_chunk"]
    print(f"\nfirst streamed audio chunk: p50 {first['p50']:.3f} s, p95 {first['p95']:.3f} s")
    print(f"utterance: {report['utterance_seconds']:.2f} s; results in {RESULTS}")
    if served_report := report.get("served"):
        turn, first = served_report["turn"], served_report["first_audio_byte"]
        print(f"through Ray Serve: turn p50 {turn['p50']:.3f} s, p95 {turn['p95']:.3f} s")
        print(f"first streamed byte p50 {first['p50']:.3f} s, p95 {first['p95']:.3f} s")


if __name__ == "__main__":
    main()
