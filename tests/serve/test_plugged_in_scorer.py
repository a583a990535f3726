"""A scorer made outside Parla (tests/fixtures/plugins/parla_template_scorer) served by `make
run` with settings alone: its folder on PYTHONPATH, which Ray's workers inherit, and
SPEECH_PROVIDER naming its factory. A `make run` of its own (without the demo catalog), so
the shared server keeps the built-in scorer; on Ray's Python proxy, because HAProxy's stats
and metrics ports are fixed and the shared server may hold them."""

import asyncio
import os
from collections.abc import Iterator

import httpx
import pytest

from adapters.speech.espeak import EspeakSynthesizer
from tests.serve.conftest import ROOT, launched, own_launch_env
from tests.support.audio import silence

PLUG_IN = ROOT / "tests" / "fixtures" / "plugins" / "parla_template_scorer"


@pytest.fixture(scope="module")
def plugged_in_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = own_launch_env(tmp_path_factory)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PLUG_IN), env.get("PYTHONPATH")]))
    env["SPEECH_PROVIDER"] = "parla_template_scorer:TemplateScorer"
    env["DEMO_CONTENT"] = "false"
    env["RAY_SERVE_ENABLE_HA_PROXY"] = "0"
    with launched(env) as base:
        yield base


def test_the_plugged_in_scorer_answers_speech_score(plugged_in_server: str):
    text, other = "Where is the nearest train station?", "My brother plays football every day."
    wav = asyncio.run(EspeakSynthesizer().synthesize(text, voice="en-gb+f3")).audio
    with httpx.Client(base_url=plugged_in_server, timeout=60) as client:
        token = client.post(
            "/api/v1/auth/register",
            json={"email": "plug-in@example.com", "password": "SecurePass123", "name": "P"},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}

        def score(reference: str, audio: bytes) -> httpx.Response:
            return client.post(
                "/api/v1/speech/score",
                headers=headers,
                data={"reference_text": reference},
                files={"audio": ("take.wav", audio, "audio/wav")},
            )

        own, wrong = score(text, wav), score(other, wav)
        assert own.status_code == wrong.status_code == 200, (own.text, wrong.text)
        assert own.json()["provider"] == "template-dtw"
        assert [w["word"] for w in own.json()["word_scores"]] == [
            "where", "is", "the", "nearest", "train", "station"
        ]  # fmt: skip
        assert own.json()["pronunciation_score"] > wrong.json()["pronunciation_score"]
        # The plug-in's own domain error crosses the SpeechScoring replica with its status.
        silent = score(text, silence(2))
        assert silent.status_code == 422, silent.text
        assert silent.json()["error"] == "UnprocessableEntity"
