"""004's flow as a client plays it: sign up, log in, pick tags and speeches, hear one, save
the round; through any server that serves the demo catalogue."""

import httpx

from adapters.speech.codec import decode_to_pcm

PASSWORD = "SecurePass123"


def play_a_round(client: httpx.Client, email: str) -> dict[str, str]:
    """Plays one listen-and-repeat round as a new learner and checks every answer; the
    learner's auth headers."""
    registered = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Learner"}
    )
    assert registered.status_code == 201, registered.text
    assert registered.headers["x-request-id"]
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200
    refreshed = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200
    headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}

    tags = client.get("/api/v1/tags").json()["tags"]
    assert len(tags) >= 20
    food = next(t["id"] for t in tags if t["name"] == "Food")
    picked = client.post(
        "/api/v1/game/speeches/random",
        json={"level": "B2", "type": "answer", "tags": [food], "limit": 5},
        headers=headers,
    )
    assert picked.status_code == 200, picked.text
    speeches = picked.json()["speeches"]
    assert len(speeches) == 5

    audio = client.get(speeches[0]["audio_url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    assert decode_to_pcm(audio.content).duration_seconds > 0.5

    session = {
        "mode": "listen_and_repeat",
        "level": "B2",
        "sentence_type": "answer",
        "selected_tags": [food],
        "total_sentences": 5,
        "correct_count": 4,
        "max_streak": 3,
        "avg_pronunciation_score": 78.5,
        "duration_seconds": 240,
        "started_at": "2025-12-10T10:00:00Z",
        "completed_at": "2025-12-10T10:04:00Z",
        "results": [
            {
                "speech_id": s["id"],
                "sequence_number": n,
                "user_response": "incorrect" if n == 4 else "correct",
                "pronunciation_score": 78.5,
                "recognized_text": s["text"],
                "response_time_ms": 3000,
            }
            for n, s in enumerate(speeches, start=1)
        ],
    }
    saved = client.post("/api/v1/game/sessions", json=session, headers=headers)
    assert saved.status_code == 201, saved.text
    session_id = saved.json()["session_id"]

    history = client.get("/api/v1/game/sessions?level=B2", headers=headers).json()
    assert [s["id"] for s in history["sessions"]] == [session_id]
    detail = client.get(f"/api/v1/game/sessions/{session_id}", headers=headers).json()
    assert [r["speech"]["id"] for r in detail["results"]] == [s["id"] for s in speeches]
    assert detail["selected_tags"] == ["Food"]
    return headers
