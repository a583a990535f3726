"""POST /speech/score through the real app with the offline scorer, on real synthesized speech."""

import pytest

from adapters.speech.espeak import EspeakSynthesizer
from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer
from tests.support.api import assert_error, client_with, sign_up
from tests.support.audio import recorded, silence

pytestmark = pytest.mark.asyncio
SENTENCE = "I would like a cup of coffee with milk please"


@pytest.fixture(scope="module")
async def recording() -> bytes:
    """A WAV of SENTENCE in an offline voice."""
    return (await EspeakSynthesizer().synthesize(SENTENCE, voice="en-us", speed=0.9)).audio


async def score(client, headers, audio: bytes, text: str | None = SENTENCE, **form: str):
    data = {"reference_text": text, **form} if text is not None else form
    return await client.post(
        "/api/v1/speech/score",
        headers=headers,
        data=data,
        files={"audio": ("take.wav", audio, "application/octet-stream")},
    )


async def test_scores_a_good_reading_word_by_word(client, recording):
    learner = await sign_up(client)
    response = await score(client, learner["headers"], recording)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "recognized_text",
        "pronunciation_score",
        "accuracy_score",
        "fluency_score",
        "completeness_score",
        "word_scores",
        "provider",
        "analysis_id",
    }
    assert body["provider"] == "pocketsphinx"
    words = [w["word"].lower() for w in body["word_scores"] if w["error_type"] != "Insertion"]
    assert words == SENTENCE.lower().split()
    for name in ("pronunciation_score", "accuracy_score", "fluency_score", "completeness_score"):
        assert 0 <= body[name] <= 100
    assert body["completeness_score"] >= 80


async def test_the_right_sentence_scores_higher_than_another(client, recording):
    learner = await sign_up(client)
    right = (await score(client, learner["headers"], recording)).json()
    wrong = (
        await score(client, learner["headers"], recording, "The train leaves at seven tonight")
    ).json()
    assert right["pronunciation_score"] > wrong["pronunciation_score"]


async def test_a_wrong_phone_is_named_with_the_phone_said_instead(container):
    """With SPEECH_PROVIDER=pocketsphinx-phones a learner who says "light" for "right" is told
    so: the word is a Mispronunciation, its /r/ is the wrong phone and /l/ what was heard;
    the other phonemes carry their scores only."""
    phones = PocketsphinxScorer(learner_substitutes=True)
    said = await EspeakSynthesizer().synthesize("Turn light at the next corner.", voice="en-us")
    async with client_with(container, speech_scorer=phones) as client:
        learner = await sign_up(client)
        response = await score(
            client, learner["headers"], said.audio, "Turn right at the next corner."
        )
    body = response.json()
    assert body["provider"] == "pocketsphinx-phones"
    right = next(w for w in body["word_scores"] if w["word"].lower() == "right")
    assert right["error_type"] == "Mispronunciation"
    wrong = right["phonemes"][0]
    assert (wrong["phoneme"], wrong["error_type"], wrong["heard"]) == ("r", "Mispronunciation", "l")
    assert wrong["score"] < 50  # its probability of being /r/ rather than /l/
    for phoneme in right["phonemes"][1:]:
        assert phoneme["error_type"] == "None" and phoneme["heard"] is None


@pytest.mark.parametrize("language", ["en", "en-US", "en-GB", "EN_gb"])
async def test_every_english_tag_is_scored(client, recording, language):
    learner = await sign_up(client)
    response = await score(client, learner["headers"], recording, language=language)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "recording_format",
    [
        ("mp3", "libmp3lame"),
        ("ogg", "libopus", 48000),
        ("webm", "libopus", 48000),
        ("mp4", "aac", None, "mono", {"movflags": "frag_keyframe+empty_moov"}),
    ],
    ids=["mp3", "ogg-opus", "webm-opus", "m4a"],
)
async def test_browser_and_phone_formats_are_accepted(client, recording, recording_format):
    learner = await sign_up(client)
    response = await score(client, learner["headers"], recorded(recording, *recording_format))
    assert response.status_code == 200, response.text


async def test_bad_requests_are_400(client, recording):
    headers = (await sign_up(client))["headers"]
    assert_error(await score(client, headers, b"not audio at all"), 400, "ValidationError")
    assert_error(await score(client, headers, b""), 400, "ValidationError")
    outside_the_whitelist = recorded(recording, "au", "pcm_s16be")
    assert_error(await score(client, headers, outside_the_whitelist), 400, "ValidationError")
    assert_error(await score(client, headers, recording, text=None), 400, "ValidationError")
    assert_error(await score(client, headers, recording, "   "), 400, "ValidationError")
    assert_error(
        await score(client, headers, recording, language="english please"), 400, "ValidationError"
    )
    assert_error(await score(client, headers, recording, language="fr-FR"), 400, "ValidationError")
    missing_file = await client.post(
        "/api/v1/speech/score", headers=headers, data={"reference_text": SENTENCE}
    )
    assert_error(missing_file, 400, "ValidationError")


async def test_limits_are_413(client):
    headers = (await sign_up(client))["headers"]
    too_long = await score(client, headers, silence(31))
    body = assert_error(too_long, 413, "PayloadTooLarge")
    assert body["details"]["limit_seconds"] == 30
    too_big = await score(client, headers, b"\0" * (10 * 1024 * 1024 + 1))
    assert_error(too_big, 413, "PayloadTooLarge")


async def test_audio_without_speech_is_422(client):
    headers = (await sign_up(client))["headers"]
    assert_error(await score(client, headers, silence(2)), 422, "UnprocessableEntity")


async def test_scoring_needs_a_login(client, recording):
    assert_error(await score(client, {}, recording), 401, "Unauthorized")
