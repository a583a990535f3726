"""The learner's record over HTTP: learning profiles, the pronunciation history kept by
/speech/score, saved assessments and a profile's level set from one (status codes and
bodies; permissions and write-nothing paths are the use-case tests')."""

from uuid import uuid4

import pytest

from adapters.speech.espeak import EspeakSynthesizer
from tests.api.test_assessment import PARAGRAPH
from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio
PROFILES = "/api/v1/users/profiles"
SENTENCE = "I would like a cup of coffee"


async def test_a_learner_keeps_one_profile_per_language(client):
    ana, ben = await sign_up(client), await sign_up(client)
    headers = ana["headers"]

    created = await client.post(PROFILES, headers=headers, json={"language": "EN", "level": "B1"})
    assert created.status_code == 201, created.text
    profile = created.json()
    assert set(profile) == {"id", "language", "level", "created_at", "updated_at"}
    assert (profile["language"], profile["level"]) == ("en", "B1")
    again = await client.post(PROFILES, headers=headers, json={"language": "en", "level": "A1"})
    assert assert_error(again, 409, "Conflict")["details"] == {"field": "language"}
    wrong = await client.post(PROFILES, headers=headers, json={"language": "eng", "level": "A1"})
    assert_error(wrong, 400, "ValidationError")

    url = f"{PROFILES}/{profile['id']}"
    changed = await client.patch(url, headers=headers, json={"level": "C1"})
    assert changed.status_code == 200 and changed.json()["level"] == "C1"
    listed = await client.get(PROFILES, headers=headers)
    assert [p["level"] for p in listed.json()] == ["C1"]
    assert_error(await client.get(url, headers=ben["headers"]), 403, "Forbidden")
    assert_error(await client.get(f"{PROFILES}/{uuid4()}", headers=headers), 404, "NotFound")
    assert_error(await client.get(PROFILES), 401, "Unauthorized")

    assert (await client.delete(url, headers=headers)).status_code == 204
    assert_error(await client.get(url, headers=headers), 404, "NotFound")


async def test_a_tutor_session_practises_a_profile(client):
    ana = await sign_up(client)
    headers = ana["headers"]
    english = (
        await client.post(PROFILES, headers=headers, json={"language": "en", "level": "B2"})
    ).json()
    spanish = (
        await client.post(PROFILES, headers=headers, json={"language": "es", "level": "A1"})
    ).json()
    sessions = "/api/v1/conversations/sessions"

    started = await client.post(sessions, headers=headers, json={"profile_id": english["id"]})
    plain = await client.post(sessions, headers=headers, json={})
    refused = await client.post(sessions, headers=headers, json={"profile_id": spanish["id"]})

    assert started.status_code == 201, started.text
    assert (started.json()["level"], started.json()["profile_id"]) == ("B2", english["id"])
    assert (plain.json()["level"], plain.json()["profile_id"]) == ("A2", None)
    assert assert_error(refused, 400, "ValidationError")["details"] == {"field": "profile_id"}


async def test_scored_recordings_make_a_history_the_learner_may_decline(client):
    ana = await sign_up(client)
    headers = ana["headers"]
    audio = (await EspeakSynthesizer().synthesize(SENTENCE, voice="en-us", speed=0.9)).audio

    async def score():
        return await client.post(
            "/api/v1/speech/score",
            headers=headers,
            data={"reference_text": SENTENCE},
            files={"audio": ("take.wav", audio, "audio/wav")},
        )

    kept = await score()
    assert kept.status_code == 200, kept.text
    history = await client.get("/api/v1/learning/pronunciation-analyses", headers=headers)
    assert history.status_code == 200
    body = history.json()
    assert body["pagination"] == {"page": 1, "limit": 20, "total": 1}
    (analysis,) = body["analyses"]
    assert analysis["id"] == kept.json()["analysis_id"]
    assert analysis["source"] == "speech_score" and analysis["reference_text"] == SENTENCE
    assert [w["word"] for w in analysis["words"]] == [w["word"] for w in kept.json()["word_scores"]]
    assert 1 < analysis["duration_seconds"] < 5

    settings = "/api/v1/learning/settings"
    assert (await client.get(settings, headers=headers)).json() == {
        "keep_pronunciation_history": True,
        "english_dialect": "british",
    }
    declined = await client.patch(
        settings, headers=headers, json={"keep_pronunciation_history": False}
    )
    assert declined.json() == {"keep_pronunciation_history": False, "english_dialect": "british"}
    assert (await score()).json()["analysis_id"] is None
    history = await client.get("/api/v1/learning/pronunciation-analyses", headers=headers)
    assert history.json()["pagination"]["total"] == 1
    not_bool = await client.patch(settings, headers=headers, json={"keep_pronunciation_history": 0})
    assert_error(not_bool, 400, "ValidationError")


async def test_saved_assessments_set_a_profile_level_when_applied(client):
    ana = await sign_up(client)
    headers = ana["headers"]
    profile = (
        await client.post(PROFILES, headers=headers, json={"language": "en", "level": "A1"})
    ).json()

    reported = await client.post(
        "/api/v1/learning/save-assessment",
        headers=headers,
        json={"level": "B1", "score": 64.5, "skills": {"fluency": 70}, "feedback": ["Good"]},
    )
    assert reported.status_code == 200, reported.text
    assert reported.json()["kind"] == "reported"
    assert reported.json()["details"] == {"skills": {"fluency": 70.0}, "feedback": ["Good"]}
    measured = await client.post(
        "/api/v1/assessment/sentence",
        headers=headers,
        json={"text": "Yesterday I go to the market.", "save": True},
    )
    unsaved = await client.post(
        "/api/v1/assessment/sentence", headers=headers, json={"text": "I like tea."}
    )
    assert measured.status_code == 200, measured.text
    assert measured.json()["assessment_id"] and unsaved.json()["assessment_id"] is None
    out_of_scale = await client.post(
        "/api/v1/learning/save-assessment", headers=headers, json={"level": "B1", "score": 101}
    )
    assert_error(out_of_scale, 400, "ValidationError")

    listed = (await client.get("/api/v1/learning/assessments", headers=headers)).json()
    assert [a["kind"] for a in listed["assessments"]] == ["sentence", "reported"]
    sentence = listed["assessments"][0]
    assert sentence["id"] == measured.json()["assessment_id"]
    assert sentence["details"]["corrected_text"] == measured.json()["corrected_text"]

    applied = await client.post(
        f"/api/v1/learning/assessments/{reported.json()['id']}/apply",
        headers=headers,
        json={"profile_id": profile["id"]},
    )
    assert applied.status_code == 200 and applied.json()["level"] == "B1"
    missing = await client.post(
        f"/api/v1/learning/assessments/{uuid4()}/apply",
        headers=headers,
        json={"profile_id": profile["id"]},
    )
    assert_error(missing, 404, "NotFound")


async def test_statistics_follow_what_the_learner_practised(client):
    ana = await sign_up(client)
    headers = ana["headers"]
    stats = "/api/v1/users/stats"
    before = await client.get(stats, headers=headers)
    assert before.status_code == 200, before.text
    assert before.json() == {
        "speaking_seconds": 0.0,
        "tutor_sessions": 0,
        "game_sessions": 0,
        "turns": 0,
        "words_spoken": 0,
        "pronunciation_analyses": 0,
        "average_pronunciation_score": None,
        "assessments": 0,
        "vocabulary_items": 0,
        "vocabulary_learned": 0,
        "vocabulary_due": 0,
        "streak_days": 0,
        "active_days": 0,
        "pronunciation_by_day": [],
        "time_zone": "UTC",
    }

    audio = (await EspeakSynthesizer().synthesize(SENTENCE, voice="en-us", speed=0.9)).audio
    scored = await client.post(
        "/api/v1/speech/score",
        headers=headers,
        data={"reference_text": SENTENCE},
        files={"audio": ("take.wav", audio, "audio/wav")},
    )
    session = await client.post("/api/v1/conversations/sessions", headers=headers, json={})
    turn = await client.post(
        f"/api/v1/conversations/sessions/{session.json()['id']}/text",
        headers=headers,
        json={"text": "I like tea"},
    )
    assert scored.status_code == 200 and turn.status_code == 200, turn.text

    after = (await client.get(stats, headers=headers, params={"tz": "Asia/Tokyo"})).json()
    score = round(scored.json()["pronunciation_score"], 1)
    assert after["speaking_seconds"] > 1 and after["tutor_sessions"] == 1
    assert after["turns"] == 1 and after["pronunciation_analyses"] == 1
    # Typed turns are not spoken: the words are the recognizer's in the scored recording.
    assert after["words_spoken"] == len(scored.json()["recognized_text"].split())
    assert after["average_pronunciation_score"] == score
    assert after["streak_days"] == 1 and after["active_days"] == 1
    (day,) = after["pronunciation_by_day"]
    assert (day["average_score"], day["analyses"]) == (score, 1)
    assert after["time_zone"] == "Asia/Tokyo"

    wrong = await client.get(stats, headers=headers, params={"tz": "Mars/Olympus"})
    assert assert_error(wrong, 400, "ValidationError")["details"] == {"field": "tz"}
    too_long = await client.get(stats, headers=headers, params={"days": 367})
    assert_error(too_long, 400, "ValidationError")


async def test_a_learners_record_follows_an_assessment_and_practice(each_database_client):
    client = each_database_client
    """A profile, a speaking assessment saved and applied to it, then practice: the
    statistics, the history and the due reviews change with each step."""
    ana = await sign_up(client)
    headers = ana["headers"]
    profile = (
        await client.post(PROFILES, headers=headers, json={"language": "en", "level": "A1"})
    ).json()
    answer = (await EspeakSynthesizer().synthesize(PARAGRAPH, voice="en-us")).audio
    assessed = await client.post(
        "/api/v1/assessment/speaking",
        headers=headers,
        data={"prompt_id": "b1-plans", "save": "true"},
        files={"audio": ("answer.wav", answer, "audio/wav")},
    )
    assert assessed.status_code == 200, assessed.text
    (saved,) = (await client.get("/api/v1/learning/assessments", headers=headers)).json()[
        "assessments"
    ]
    assert saved["id"] == assessed.json()["assessment_id"] and saved["kind"] == "speaking"
    assert (saved["level"], saved["score"]) == (assessed.json()["level"], assessed.json()["score"])
    assert saved["details"]["transcript"] == assessed.json()["transcript"]
    applied = await client.post(
        f"/api/v1/learning/assessments/{saved['id']}/apply",
        headers=headers,
        json={"profile_id": profile["id"]},
    )
    assert applied.json()["level"] == assessed.json()["level"]

    session = await client.post(
        "/api/v1/conversations/sessions", headers=headers, json={"profile_id": profile["id"]}
    )
    assert session.json()["level"] == assessed.json()["level"]
    await client.post(
        f"/api/v1/conversations/sessions/{session.json()['id']}/text",
        headers=headers,
        json={"text": "He go to school every day."},
    )

    stats = (await client.get("/api/v1/users/stats", headers=headers)).json()
    assert (stats["assessments"], stats["tutor_sessions"], stats["turns"]) == (1, 1, 1)
    assert (stats["vocabulary_items"], stats["vocabulary_due"]) == (1, 1)
    due = (await client.get("/api/v1/learning/vocabulary/due", headers=headers)).json()
    assert [i["text"] for i in due["items"]] == ["goes"]
