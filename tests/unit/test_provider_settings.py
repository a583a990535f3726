"""Switching providers is configuration only: the chains the settings name are the adapters
the composition root builds, and a provider named without its key stops start-up."""

import pytest
from pydantic import ValidationError

from adapters.metrics import PrometheusMetrics
from deployments.providers import (
    build_gateway_model,
    build_mailer,
    build_premium_model,
    build_recognizer,
    build_synthesizer,
    build_tutor,
)
from deployments.settings import Settings

METRICS = PrometheusMetrics()


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_the_defaults_are_the_offline_providers():
    defaults = settings()
    assert build_recognizer(defaults, METRICS).provider == "whisper-base"
    assert build_synthesizer(defaults, METRICS).provider == "espeak"
    assert build_tutor(defaults, METRICS).provider == "smollm2+rules+harper"
    assert defaults.default_english_dialect == "british"


def test_the_default_dialect_is_british_or_american():
    assert settings(default_english_dialect="american").default_english_dialect == "american"
    with pytest.raises(ValidationError):
        settings(default_english_dialect="scottish")


def test_chains_are_built_in_the_order_named():
    keys = {
        "openai_api_key": "sk-test",
        "elevenlabs_api_key": "el-test",
        "azure_speech_key": "az-test",
        "azure_speech_region": "westeurope",
    }
    chosen = settings(
        stt_provider="openai,azure,whisper",
        tts_provider="elevenlabs, openai",
        llm_provider="openai,local",
        **keys,
    )
    assert build_recognizer(chosen, METRICS).provider == "openai>azure>whisper-base"
    assert build_synthesizer(chosen, METRICS).provider == "elevenlabs>openai"
    assert build_tutor(chosen, METRICS).provider == "openai>smollm2+rules+harper"


@pytest.mark.parametrize(
    ("values", "needs"),
    [
        ({"tts_provider": "elevenlabs"}, "ELEVENLABS_API_KEY"),
        ({"stt_provider": "whisper,openai"}, "OPENAI_API_KEY"),
        ({"llm_provider": "openai"}, "OPENAI_API_KEY"),
        ({"tts_provider": "azure", "azure_speech_key": "k"}, "AZURE_SPEECH_REGION"),
        ({"stt_provider": "deepgram"}, "unknown provider 'deepgram'"),
        ({"tts_provider": " , "}, "TTS_PROVIDER names no provider"),
    ],
)
def test_a_provider_without_its_setting_stops_start_up(values, needs):
    with pytest.raises(ValidationError, match=needs):
        settings(**values)


def test_mail_goes_to_the_log_until_a_mail_server_is_set():
    assert build_mailer(settings()).description == "the log (SMTP_HOST is not set)"
    smtp = build_mailer(settings(smtp_host="mail.test", smtp_port=2525))
    assert smtp.description == "smtp://mail.test:2525"


def test_plans_and_relevance_have_a_model_only_when_openai_is_named():
    assert build_gateway_model(settings(), METRICS) is None
    chosen = settings(llm_provider="openai,local", openai_api_key="sk-test")
    assert build_gateway_model(chosen, METRICS).provider.startswith("openai")


def test_premium_requests_are_priced_as_the_first_llm_provider():
    assert build_premium_model(settings(), METRICS).price_usd == 0
    chosen = settings(llm_provider="openai,local", openai_api_key="sk-test")
    assert build_premium_model(chosen, METRICS).price_usd == 0.02
    priced = settings(llm_prices_usd="local=0.005")
    assert build_premium_model(priced, METRICS).price_usd == 0.005


@pytest.mark.parametrize("prices", ["local", "local=free", "gpt=0.1", "local=-1", "local=nan"])
def test_a_malformed_price_list_stops_start_up(prices):
    with pytest.raises(ValidationError, match="LLM_PRICES_USD"):
        settings(llm_prices_usd=prices)


def test_tutor_model_names_the_packaged_model_or_a_gguf_file(tmp_path):
    model = tmp_path / "tutor-model.gguf"
    model.write_bytes(b"GGUF")  # never loaded here: the model loads at the first reply
    assert (
        build_tutor(settings(tutor_model=str(model)), METRICS).provider
        == "tutor-model+rules+harper"
    )
    for wrong in (str(tmp_path / "missing.gguf"), str(tmp_path), "smollm2-360m"):
        with pytest.raises(ValidationError, match="TUTOR_MODEL"):
            settings(tutor_model=wrong)


def test_an_openai_model_first_in_the_chain_phrases_whole_turns():
    keyed = {"openai_api_key": "sk-test"}
    assert build_tutor(settings(llm_provider="openai,local", **keyed), METRICS).converses
    assert not build_tutor(settings(llm_provider="local,openai", **keyed), METRICS).converses
