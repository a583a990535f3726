"""Parla on a two-node Ray cluster (conftest.py): the model deployments run where the nodes'
custom resources put them, SpeechScoring scales out on the worker node under a burst of
scoring requests, and 004's flow is served through the head's proxy on the services stack."""

import asyncio
import time

import httpx

from adapters.speech.espeak import EspeakSynthesizer
from tests.cluster.conftest import RayCluster
from tests.support.game_round import PASSWORD, play_a_round

BURST = 16  # concurrent scoring requests: eight times what one replica takes at a time
SCALE_OUT_SECONDS = 180
SENTENCE = "Where is the nearest train station"


def replicas(cluster: RayCluster, deployment: str) -> list[dict]:
    """The replicas of one of Parla's deployments, as Serve reports them."""
    details = cluster.get("/api/serve/applications/")
    return details["applications"]["parla"]["deployments"][deployment]["replicas"]


def test_each_deployment_runs_on_the_node_that_offers_its_resource(
    ray_cluster: RayCluster, parla: str
):
    head, worker = ray_cluster.node_ids()

    scoring = replicas(ray_cluster, "SpeechScoring")
    assert scoring and {r["node_id"] for r in scoring} == {worker}
    for model in ("Tutor", "SpeechIO"):
        assert {r["node_id"] for r in replicas(ray_cluster, model)} == {head}
    # The Gateway asks for CPU only; Serve's proxy is on the head (HeadOnly).
    assert replicas(ray_cluster, "Gateway")


def test_the_004_flow_through_the_heads_proxy(parla: str):
    with httpx.Client(base_url=parla, timeout=60) as client:
        play_a_round(client, "cluster-learner@example.com")
        # One request id per answer: the node's proxy runs the app's middleware.
        missing = client.get("/api/v1/no-such-route")
        assert missing.status_code == 404
        assert missing.headers.get_list("x-request-id") == [missing.json()["request_id"]]


async def test_speech_scoring_scales_out_on_the_worker_under_a_burst(
    ray_cluster: RayCluster, parla: str
):
    _, worker = ray_cluster.node_ids()
    wav = (await EspeakSynthesizer().synthesize(SENTENCE)).audio
    scaled = asyncio.Event()
    answers: list[int] = []

    async with httpx.AsyncClient(base_url=parla, timeout=120) as client:
        signed_up = await client.post(
            "/api/v1/auth/register",
            json={"email": "burst@example.com", "password": PASSWORD, "name": "Burst"},
        )
        assert signed_up.status_code == 201, signed_up.text
        headers = {"Authorization": f"Bearer {signed_up.json()['access_token']}"}

        async def learner() -> None:
            # Each keeps one request in flight until the second replica serves.
            while not scaled.is_set():
                scored = await client.post(
                    "/api/v1/speech/score",
                    headers=headers,
                    data={"reference_text": SENTENCE},
                    files={"audio": ("take.wav", wav, "audio/wav")},
                )
                answers.append(scored.status_code)
                assert scored.status_code == 200, scored.text
                assert len(scored.json()["word_scores"]) >= len(SENTENCE.split())

        async def watch() -> list[dict]:
            deadline = time.monotonic() + SCALE_OUT_SECONDS
            while True:
                found = await asyncio.to_thread(replicas, ray_cluster, "SpeechScoring")
                if [r["state"] for r in found] == ["RUNNING", "RUNNING"]:
                    scaled.set()
                    return found
                placed = {d: replicas(ray_cluster, d) for d in ("Gateway", "SpeechScoring")}
                assert time.monotonic() < deadline, f"not scaled out: {placed}"
                await asyncio.sleep(1)

        learners = [asyncio.create_task(learner()) for _ in range(BURST)]
        try:
            running = await watch()
        finally:
            scaled.set()
            await asyncio.gather(*learners)

    assert {r["node_id"] for r in running} == {worker}
    assert len(answers) >= BURST and set(answers) == {200}
