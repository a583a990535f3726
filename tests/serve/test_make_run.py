"""The product as `make run` starts it: the launcher migrates, loads the demo catalog, and
hands over to `serve run` with serve_config.yaml (the `server` fixture); then 004's flow through
the Ray Serve proxy."""

import asyncio
import json

import httpx
from websockets.sync.client import connect

from adapters.speech.codec import decode_to_pcm
from adapters.speech.espeak import EspeakSynthesizer
from tests.support.game_round import play_a_round


def test_the_004_flow_through_the_ray_serve_proxy(server: str):
    with httpx.Client(base_url=server, timeout=30) as client:
        headers = play_a_round(client, "serve-learner@example.com")

        bad = client.post(
            "/api/v1/game/sessions",
            content=b"{",
            headers={**headers, "content-type": "application/json"},
        )
        assert bad.status_code == 400 and bad.json()["error"] == "ValidationError"
        assert client.get("/docs").status_code == 200


def test_one_request_id_and_the_apps_answers_through_the_ingress(server: str):
    """Ray Serve's ingress echoes the X-Request-ID it received next to the app's; the
    middleware the launcher gives it folds them into one, the id of the error body. A
    request line past HAProxy's default 16 KiB buffer still reaches the app."""
    with httpx.Client(base_url=server, timeout=30) as client:
        for headers in ({"X-Request-ID": "r" * 300}, {}):
            response = client.get("/api/v1/no-such-route", headers=headers)
            assert response.status_code == 404, response.text
            assert response.headers.get_list("x-request-id") == [response.json()["request_id"]]
        echoed = client.get("/api/v1/health", headers={"X-Request-ID": "r" * 300})
        assert echoed.headers.get_list("x-request-id") == ["r" * 128]
        long = client.get("/api/v1/no-such-route", params={"pad": "x" * 20_000})
        assert long.status_code == 404 and long.json()["error"] == "NotFound"


def test_scoring_crosses_to_the_speech_scoring_deployment(server: str):
    text = "Where is the nearest train station"
    wav = asyncio.run(EspeakSynthesizer().synthesize(text)).audio
    with httpx.Client(base_url=server, timeout=60) as client:
        token = client.post(
            "/api/v1/auth/register",
            json={"email": "scorer@example.com", "password": "SecurePass123", "name": "S"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        scored = client.post(
            "/api/v1/speech/score",
            headers=headers,
            data={"reference_text": text},
            files={"audio": ("take.wav", wav, "audio/wav")},
        )
        assert scored.status_code == 200, scored.text
        body = scored.json()
        assert body["provider"] == "pocketsphinx"
        assert len(body["word_scores"]) >= len(text.split())
        # A domain error raised inside the SpeechScoring replica keeps its status.
        silent = client.post(
            "/api/v1/speech/score",
            headers=headers,
            data={"reference_text": text},
            files={"audio": ("take.wav", wav[:44] + b"\0" * 64000, "audio/wav")},
        )
        assert silent.status_code == 422, silent.text
        assert silent.json()["error"] == "UnprocessableEntity"


def test_messages_reach_a_websocket_through_the_ray_serve_proxy(server: str):
    with httpx.Client(base_url=server, timeout=30) as client:
        ana, ben = (
            client.post(
                "/api/v1/auth/register",
                json={"email": f"{name}@example.com", "password": "SecurePass123", "name": name},
            ).json()
            for name in ("ana", "ben")
        )
        conversation = client.post(
            "/api/v1/conversations",
            json={"type": "direct", "participant_ids": [ben["user"]["id"]]},
            headers={"Authorization": f"Bearer {ana['access_token']}"},
        ).json()
        socket_url = server.replace("http", "ws", 1) + f"/api/v1/ws/{ben['access_token']}"
        with connect(socket_url) as socket:
            established = json.loads(socket.recv(timeout=30))
            assert established["conversations"] == [conversation["id"]]
            sent = client.post(
                f"/api/v1/conversations/{conversation['id']}/messages",
                json={"content": "Hello through Serve"},
                headers={"Authorization": f"Bearer {ana['access_token']}"},
            )
            assert sent.status_code == 201, sent.text
            while (pushed := json.loads(socket.recv(timeout=30)))["type"] != "message_new":
                pass
            assert pushed["message"]["id"] == sent.json()["id"]


def test_a_spoken_conversation_crosses_the_tutor_and_synthesis_deployments(server: str):
    """REST voice turn, streamed synthesis and the English-only socket, each crossing from
    the Gateway to the Tutor and SpeechIO deployments."""
    take = asyncio.run(EspeakSynthesizer().synthesize("I like to swim in the sea.", speed=0.9))
    with httpx.Client(base_url=server, timeout=120) as client:
        learner = client.post(
            "/api/v1/auth/register",
            json={"email": "talker@example.com", "password": "SecurePass123", "name": "T"},
        ).json()
        headers = {"Authorization": f"Bearer {learner['access_token']}"}
        session = client.post(
            "/api/v1/conversations/sessions", json={"topic": "sports"}, headers=headers
        ).json()
        turn = client.post(
            f"/api/v1/conversations/sessions/{session['id']}/audio",
            files={"audio": ("take.wav", take.audio, "audio/wav")},
            headers=headers,
        )
        assert turn.status_code == 200, turn.text
        body = turn.json()
        assert "swim" in body["transcript"].lower()
        assert body["tutor_message"]["text"]
        assert body["provider"] == "smollm2+rules+harper"

        with client.stream(
            "POST",
            "/api/v1/speech/synthesize/stream",
            json={"text": "One sentence. And another one."},
            headers=headers,
        ) as streamed:
            assert streamed.status_code == 200
            audio = b"".join(streamed.iter_raw())
        assert decode_to_pcm(audio, 16000).duration_seconds > 1.5
        unknown = client.post(
            "/api/v1/speech/synthesize", json={"text": "Hi", "voice": "nobody"}, headers=headers
        )
        assert unknown.status_code == 400, unknown.text

    url = server.replace("http", "ws", 1) + "/api/v1/ws/english-only"
    with connect(f"{url}?token={learner['access_token']}", max_size=2**24) as socket:
        greeting = json.loads(socket.recv(timeout=120))
        assert greeting["type"] == "greeting"
        socket.send(json.dumps({"type": "text", "text": "I has a bicycle."}))
        response = json.loads(socket.recv(timeout=120))
        assert response["type"] == "response", response
        assert response["analysis"]["corrected_text"] == "I have a bicycle."
