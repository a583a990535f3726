"""Adapters plugged in by settings (deployments.plug_ins): a name that is not built in is a
factory's import path or an entry point; whatever cannot be used stops start-up naming the
setting. The plug-ins here are Parla's own adapters named by import path, and small classes
of this module that break the port."""

import subprocess
import sys

import pytest
from pydantic import ValidationError

from adapters.metrics import PrometheusMetrics
from deployments.plug_ins import PlugInError, build_plug_in, check_plug_ins
from deployments.providers import build_language_model, build_speech_scorer, build_synthesizer
from deployments.settings import BUILT_IN_PROVIDERS, Settings
from ports.scoring import PcmAudio, ScoringResult

METRICS = PrometheusMetrics()


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


class BlockingScorer:
    """Has the port's attributes, but `score` blocks instead of being awaitable."""

    provider = "blocking"

    def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        raise NotImplementedError


class NamelessScorer:
    provider = ""

    async def score(self, audio: PcmAudio, reference_text: str, language: str) -> ScoringResult:
        raise NotImplementedError


def refusing_factory() -> object:
    raise RuntimeError("model weights not found")


HERE = "tests.unit.test_plug_ins"


def test_a_plug_in_is_built_by_its_import_path_in_a_fallback_chain():
    chosen = settings(
        tts_provider="adapters.speech.espeak:EspeakSynthesizer",
        llm_provider="openai,adapters.llm.llama_cpp:LlamaCppChatModel",
        openai_api_key="sk-test",
        llm_prices_usd="openai=0.02,adapters.llm.llama_cpp:LlamaCppChatModel=0.001",
    )
    assert build_synthesizer(chosen, METRICS).provider == "espeak"
    assert build_language_model(chosen, METRICS).provider == "openai>smollm2"
    assert chosen.llm_prices()["adapters.llm.llama_cpp:LlamaCppChatModel"] == 0.001


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("speech_provider", "kaldi", "SPEECH_PROVIDER: unknown provider 'kaldi'"),
        ("stt_provider", "whisper,deepgram", "STT_PROVIDER: unknown provider 'deepgram'"),
        ("tts_provider", "espeak,piper", "group 'parla.speech_synthesizers'"),
        ("llm_provider", "pkg.module:", "LLM_PROVIDER: unknown provider 'pkg.module:'"),
        ("speech_provider", "pocketsphinx,azure", "unknown provider 'pocketsphinx,azure'"),
    ],
)
def test_an_unknown_name_stops_start_up(setting: str, value: str, message: str):
    with pytest.raises(ValidationError, match=message):
        settings(**{setting: value})


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("no_such_package.scorer:Scorer", "cannot import it: ModuleNotFoundError"),
        (f"{HERE}:NoSuchScorer", "cannot import it: AttributeError"),
        (f"{HERE}:refusing_factory", "the factory failed: RuntimeError('model weights"),
        ("adapters.speech.espeak:EspeakSynthesizer", "not a SpeechScorer: it lacks score"),
        (f"{HERE}:BlockingScorer", "not a SpeechScorer: its score is not an async method"),
        (f"{HERE}:NamelessScorer", "its provider is '', not a non-empty string"),
        (f"{HERE}:HERE", "is not callable"),
    ],
)
def test_a_plug_in_that_cannot_serve_is_a_start_up_error_naming_the_setting(name, problem):
    chosen = settings(speech_provider=name)  # the name is well-formed: it is built later

    with pytest.raises(PlugInError) as error:
        build_speech_scorer(chosen, METRICS)
    assert str(error.value).startswith(f"SPEECH_PROVIDER={name}: ")
    assert problem in str(error.value)


def test_the_launch_check_builds_plug_ins_only():
    chosen = settings(stt_provider=f"whisper,{HERE}:BlockingScorer")

    with pytest.raises(PlugInError, match="STT_PROVIDER=.*not a SpeechRecognizer"):
        check_plug_ins(chosen.provider_chains(), BUILT_IN_PROVIDERS)
    check_plug_ins(settings().provider_chains(), BUILT_IN_PROVIDERS)  # built-ins: nothing built
    assert build_plug_in("TTS_PROVIDER", "adapters.speech.espeak:EspeakSynthesizer")


def test_make_run_stops_before_starting_anything_when_a_plug_in_fails(tmp_path):
    launch = subprocess.run(
        [sys.executable, "-m", "deployments.launch"],
        env={"SPEECH_PROVIDER": "no_such_package.scorer:Scorer", "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert launch.returncode == 1
    assert "SPEECH_PROVIDER=no_such_package.scorer:Scorer: cannot import it" in launch.stderr
    assert list(tmp_path.iterdir()) == []  # no database made, no Ray started
