"""/assessment/speaking, /assessment/sentence, /speaking-prompts and /realtime/token through
the real app, with the offline recognizer (Whisper), grammar checker (Harper) and scorer."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from adapters.speech.espeak import EspeakSynthesizer
from deployments.wiring import Container
from ports.realtime import RealtimeToken
from tests.support.api import assert_error, client_with, sign_up
from tests.support.audio import silence

pytestmark = pytest.mark.asyncio
SENTENCE = "He go to school every day and she have two cat."
PARAGRAPH = (
    "Last summer I travelled to Scotland with my sister. Although the weather was often "
    "cold and rainy, we enjoyed the beautiful landscapes. However, the trains were expensive, "
    "so we usually took the bus. In my opinion it was a wonderful holiday."
)


class NotToBeCalled:
    """A recognizer and grammar checker that fail the test when the request reaches them."""

    provider = "none"

    async def transcribe(self, *args: object, **kwargs: object):
        raise AssertionError("the recognizer was called")

    async def check(self, text: str):
        raise AssertionError("the grammar checker was called")


@pytest.fixture
async def guarded(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    async with client_with(
        container, recognizer=NotToBeCalled(), grammar_checker=NotToBeCalled()
    ) as c:
        yield c


async def speak(client, headers, audio: bytes, **form: str) -> httpx.Response:
    return await client.post(
        "/api/v1/assessment/speaking",
        headers=headers,
        data=form,
        files={"audio": ("answer.wav", audio, "application/octet-stream")},
    )


# --- /speaking-prompts ----------------------------------------------------------------------


async def test_prompts_of_a_level(client):
    headers = (await sign_up(client))["headers"]
    response = await client.get("/api/v1/speaking-prompts?level=B1&limit=4", headers=headers)
    assert response.status_code == 200, response.text
    prompts = response.json()["prompts"]
    assert len(prompts) == 4
    assert {p["level"] for p in prompts} == {"B1"}
    assert set(prompts[0]) == {"id", "level", "topic", "text", "seconds"}
    assert all(p["text"] and 0 < p["seconds"] <= 30 for p in prompts)
    assert len({p["id"] for p in prompts}) == 4


async def test_at_least_six_varied_prompts_per_level(client):
    headers = (await sign_up(client))["headers"]
    for level in ("A1", "A2", "B1", "B2", "C1", "C2"):
        response = await client.get(
            f"/api/v1/speaking-prompts?level={level}&limit=50", headers=headers
        )
        prompts = response.json()["prompts"]
        assert len(prompts) >= 6, level
        assert len({p["topic"] for p in prompts}) >= 5, level
    everything = await client.get("/api/v1/speaking-prompts?limit=50", headers=headers)
    assert len(everything.json()["prompts"]) > 36
    default = await client.get("/api/v1/speaking-prompts", headers=headers)
    assert len(default.json()["prompts"]) == 10


async def test_prompt_queries_are_validated(client):
    headers = (await sign_up(client))["headers"]
    for query in ("level=D1", "level=b1x", "limit=0", "limit=51", "limit=many"):
        response = await client.get(f"/api/v1/speaking-prompts?{query}", headers=headers)
        assert_error(response, 400, "ValidationError")


async def test_prompts_need_a_login(client):
    assert_error(await client.get("/api/v1/speaking-prompts"), 401, "Unauthorized")


# --- /assessment/sentence -------------------------------------------------------------------


async def test_sentence_text_is_validated_before_the_checker(guarded):
    headers = (await sign_up(guarded))["headers"]
    for body in ({"text": ""}, {"text": "x" * 1001}, {}, {"text": 5}):
        response = await guarded.post("/api/v1/assessment/sentence", headers=headers, json=body)
        assert_error(response, 400, "ValidationError")
    blank = await guarded.post("/api/v1/assessment/sentence", headers=headers, json={"text": "  "})
    assert_error(blank, 400, "ValidationError")


async def test_sentence_assessment_needs_a_login(client):
    response = await client.post("/api/v1/assessment/sentence", json={"text": SENTENCE})
    assert_error(response, 401, "Unauthorized")


async def test_sentence_assessment_corrects_agreement(client):
    headers = (await sign_up(client))["headers"]
    response = await client.post(
        "/api/v1/assessment/sentence", headers=headers, json={"text": SENTENCE}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    suggestions = [c["suggestion"] for c in body["corrections"]]
    assert "goes" in suggestions
    assert "goes to school" in body["corrected_text"]
    assert body["level"] in ("A1", "A2", "B1", "B2", "C1", "C2")
    assert body["vocabulary"]["level"] == "A1"
    assert any("agreement" in f.lower() for f in body["feedback"])


# --- /assessment/speaking -------------------------------------------------------------------


async def test_speaking_limits_are_413_before_any_provider(guarded):
    headers = (await sign_up(guarded))["headers"]
    too_long = await speak(guarded, headers, silence(31))
    assert assert_error(too_long, 413, "PayloadTooLarge")["details"]["limit_seconds"] == 30
    too_big = await speak(guarded, headers, b"\0" * (10 * 1024 * 1024 + 1))
    assert_error(too_big, 413, "PayloadTooLarge")


async def test_speaking_bad_uploads_are_400(guarded):
    headers = (await sign_up(guarded))["headers"]
    assert_error(await speak(guarded, headers, b""), 400, "ValidationError")
    assert_error(await speak(guarded, headers, b"not audio at all"), 400, "ValidationError")
    assert_error(await speak(guarded, headers, silence(1), duration="-3"), 400, "ValidationError")
    missing = await guarded.post("/api/v1/assessment/speaking", headers=headers)
    assert_error(missing, 400, "ValidationError")


async def test_an_unknown_prompt_is_404(guarded):
    headers = (await sign_up(guarded))["headers"]
    response = await speak(guarded, headers, silence(1), prompt_id="no-such-prompt")
    assert_error(response, 404, "NotFound")


async def test_speaking_assessment_needs_a_login(client):
    assert_error(await speak(client, {}, silence(1)), 401, "Unauthorized")


async def test_speaking_assessment_of_a_synthesized_answer(client):
    headers = (await sign_up(client))["headers"]
    audio = (await EspeakSynthesizer().synthesize(PARAGRAPH, voice="en-us")).audio
    response = await speak(client, headers, audio, prompt_id="b1-plans")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["level"] in ("A1", "A2", "B1", "B2", "C1", "C2")
    assert set(body["skills"]) == {"pronunciation", "grammar", "vocabulary", "fluency", "coherence"}
    for skill in body["skills"].values():
        assert 0 <= skill["score"] <= 100
        assert skill["feedback"]
    assert body["word_count"] >= 30
    assert body["prompt_id"] == "b1-plans"
    assert "scotland" in body["transcript"].lower()


async def test_silence_is_422(client):
    headers = (await sign_up(client))["headers"]
    assert_error(await speak(client, headers, silence(2)), 422, "UnprocessableEntity")


# --- /realtime/token ------------------------------------------------------------------------


async def test_realtime_token_without_a_provider_is_501_naming_the_setting(client):
    headers = (await sign_up(client))["headers"]
    body = assert_error(
        await client.post("/api/v1/realtime/token", headers=headers), 501, "NotImplemented"
    )
    assert body["details"] == {"setting": "OPENAI_API_KEY"}


class FixedTokens:
    provider = "test"

    def __init__(self) -> None:
        self.instructions: list[str] = []

    async def issue(self, *, instructions: str) -> RealtimeToken:
        self.instructions.append(instructions)
        return RealtimeToken("ek_1", datetime(2030, 1, 1, tzinfo=UTC), "model-1", "test")


async def test_realtime_token_from_the_configured_provider(container: Container):
    tokens = FixedTokens()
    async with client_with(container, realtime_tokens=tokens) as c:
        headers = (await sign_up(c))["headers"]
        response = await c.post("/api/v1/realtime/token", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "token": "ek_1",
        "expires_at": "2030-01-01T00:00:00Z",
        "model": "model-1",
        "provider": "test",
    }
    assert "tutor" in tokens.instructions[0]


async def test_realtime_token_needs_a_login(client):
    assert_error(await client.post("/api/v1/realtime/token"), 401, "Unauthorized")
