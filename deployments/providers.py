"""Provider builders: the adapters each provider setting names, loaded in the process that
calls them (the Gateway, a model deployment, or a test). A name that is not built in is a
plug-in, built by deployments.plug_ins.

Each builder imports its adapters when it is used, so that a process loads only the models and
SDKs of the providers it runs."""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from adapters.blobs.local import LocalBlobStore
from adapters.fallback import (
    BreakerPolicy,
    FallbackLanguageModel,
    FallbackSpeechRecognizer,
    FallbackSpeechScorer,
    FallbackSpeechSynthesizer,
)
from adapters.grammar.harper import HarperGrammarChecker
from adapters.identity.social import (
    AppleIdentityProvider,
    FacebookIdentityProvider,
    GoogleIdentityProvider,
)
from adapters.mail.log import LogMailer
from adapters.morphology.lemminflect_morphology import LemminflectMorphology
from adapters.speech.espeak import EspeakSynthesizer
from deployments.demo.tutor_questions import read_question_bank
from deployments.plug_ins import build_plug_in
from deployments.settings import SMOLLM2, Settings, comma_list
from domain.corrections.checker import LearnerGrammarChecker
from domain.courses.premium import PremiumModel
from domain.tutor.tutor import Tutor
from ports.blobs import BlobStore
from ports.grammar import CorrectionKind, GrammarChecker
from ports.identity import AuthProvider, IdentityProvider
from ports.language_model import LanguageModel
from ports.mail import Mailer
from ports.metrics import Metrics
from ports.realtime import RealtimeTokenIssuer
from ports.scoring import SpeechScorer
from ports.speech import SpeechRecognizer, SpeechSynthesizer

P = TypeVar("P")


def build_identity_providers(settings: Settings) -> dict[AuthProvider, IdentityProvider]:
    """The social sign-in providers whose ids are set; the others answer 501."""
    providers: dict[AuthProvider, IdentityProvider] = {}
    if ids := comma_list(settings.google_client_id):
        providers[AuthProvider.GOOGLE] = GoogleIdentityProvider(ids, settings.google_jwks_url)
    if ids := comma_list(settings.apple_client_id):
        providers[AuthProvider.APPLE] = AppleIdentityProvider(ids, settings.apple_jwks_url)
    if settings.facebook_app_id and settings.facebook_app_secret:
        providers[AuthProvider.FACEBOOK] = FacebookIdentityProvider(
            settings.facebook_app_id, settings.facebook_app_secret, settings.facebook_graph_url
        )
    return providers


def build_speech_scorer(settings: Settings, metrics: Metrics) -> SpeechScorer:
    """The scorer SPEECH_PROVIDER names: a built-in one or a plug-in."""

    def scorer(name: str) -> SpeechScorer:
        if name == "azure":
            from adapters.speech.azure_scorer import AzureSpeechScorer

            key, region = settings.credentials("azure")
            return AzureSpeechScorer(key, region)
        if name in ("pocketsphinx", "pocketsphinx-phones"):
            from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer

            return PocketsphinxScorer(learner_substitutes=name == "pocketsphinx-phones")
        return build_plug_in("SPEECH_PROVIDER", name)

    return _chain(settings, metrics, [settings.speech_provider], scorer, FallbackSpeechScorer)


def _chain(
    settings: Settings,
    metrics: Metrics,
    names: list[str],
    build: Callable[[str], P],
    chain: Callable[..., P],
) -> P:
    """One adapter per provider name in a chain (of one, too: it measures each provider and
    keeps its circuit breaker)."""
    policy = BreakerPolicy(
        settings.provider_circuit_failures, settings.provider_circuit_cool_down_seconds
    )
    return chain([build(name) for name in names], metrics=metrics, policy=policy)


def _keyed(settings: Settings, provider: str, base_url: str | None) -> dict[str, Any]:
    """What an API-key provider's adapter takes: its key, server, timeout and retries."""
    (api_key,) = settings.credentials(provider)
    return {
        "api_key": api_key,
        "base_url": base_url,
        "max_retries": settings.provider_retries,
        "timeout_seconds": settings.provider_timeout_seconds,
    }


def _openai(settings: Settings) -> dict[str, Any]:
    return _keyed(settings, "openai", settings.openai_base_url)


def _elevenlabs(settings: Settings) -> dict[str, Any]:
    return _keyed(settings, "elevenlabs", settings.elevenlabs_base_url)


def _azure(settings: Settings) -> dict[str, Any]:
    key, region = settings.credentials("azure")
    return {
        "key": key,
        "region": region,
        "attempts": settings.provider_retries + 1,
        "timeout_seconds": settings.provider_timeout_seconds,
    }


def build_recognizer(settings: Settings, metrics: Metrics) -> SpeechRecognizer:
    """The recognizers STT_PROVIDER names, in fallback order."""

    def recognizer(name: str) -> SpeechRecognizer:
        if name == "openai":
            from adapters.speech.openai_speech import OpenAiSpeechRecognizer

            return OpenAiSpeechRecognizer(model=settings.openai_stt_model, **_openai(settings))
        if name == "elevenlabs":
            from adapters.speech.elevenlabs_speech import ElevenLabsSpeechRecognizer

            return ElevenLabsSpeechRecognizer(**_elevenlabs(settings))
        if name == "azure":
            from adapters.speech.azure_speech import AzureSpeechRecognizer

            return AzureSpeechRecognizer(**_azure(settings))
        if name == "whisper":
            from adapters.speech.whisper_recognizer import WhisperSpeechRecognizer

            return WhisperSpeechRecognizer(settings.model_dir / "whisper-base")
        return build_plug_in("STT_PROVIDER", name)

    return _chain(settings, metrics, settings.stt_providers, recognizer, FallbackSpeechRecognizer)


def build_synthesizer(settings: Settings, metrics: Metrics) -> SpeechSynthesizer:
    """The synthesizers TTS_PROVIDER names, in fallback order."""

    def synthesizer(name: str) -> SpeechSynthesizer:
        if name == "openai":
            from adapters.speech.openai_speech import OpenAiSpeechSynthesizer

            return OpenAiSpeechSynthesizer(model=settings.openai_tts_model, **_openai(settings))
        if name == "elevenlabs":
            from adapters.speech.elevenlabs_speech import ElevenLabsSpeechSynthesizer

            return ElevenLabsSpeechSynthesizer(**_elevenlabs(settings))
        if name == "azure":
            from adapters.speech.azure_speech import AzureSpeechSynthesizer

            return AzureSpeechSynthesizer(**_azure(settings))
        if name == "espeak":
            return EspeakSynthesizer()
        return build_plug_in("TTS_PROVIDER", name)

    return _chain(settings, metrics, settings.tts_providers, synthesizer, FallbackSpeechSynthesizer)


def build_language_model(settings: Settings, metrics: Metrics) -> LanguageModel:
    """The language models LLM_PROVIDER names, in fallback order."""

    def model(name: str) -> LanguageModel:
        if name == "openai":
            from adapters.llm.openai_chat import OpenAiChatModel

            return OpenAiChatModel(model=settings.openai_chat_model, **_openai(settings))
        if name == "local":
            from adapters.llm.llama_cpp import LlamaCppChatModel

            if settings.tutor_model == SMOLLM2:
                return LlamaCppChatModel()
            path = Path(settings.tutor_model)
            return LlamaCppChatModel(path, provider=path.stem)
        return build_plug_in("LLM_PROVIDER", name)

    return _chain(settings, metrics, settings.llm_providers, model, FallbackLanguageModel)


HARPER_KINDS = frozenset(CorrectionKind) - {CorrectionKind.WORD_CHOICE, CorrectionKind.STYLE}
"""The kinds of Harper's issues the learner's checker keeps beside its rules'. On the
learner-error set's tuning part, Harper's spellings add 4 points of sentences fully
corrected; its word choices and style changed correct sentences ("cell phone" ->
"cellphone") and corrected none."""


def build_grammar_checker(
    general_kinds: frozenset[CorrectionKind] = HARPER_KINDS,
) -> GrammarChecker:
    """The learner-error rules (with lemminflect's lexicon) and Harper: light enough to run
    in every process that checks a learner's text (the Gateway for assessments, Tutor)."""
    return LearnerGrammarChecker(LemminflectMorphology(), HarperGrammarChecker(), general_kinds)


def build_tutor(settings: Settings, metrics: Metrics, model: LanguageModel | None = None) -> Tutor:
    """The tutor with the language models LLM_PROVIDER names (or `model`), the grammar
    checker and the question bank. An OpenAI-compatible model first in the chain phrases
    whole turns; the offline model comments inside the rules' turn."""
    return Tutor(
        model or build_language_model(settings, metrics),
        build_grammar_checker(),
        read_question_bank(),
        converses=settings.llm_providers[0] == "openai",
    )


def build_premium_model(settings: Settings, metrics: Metrics) -> PremiumModel:
    """The premium features' model chain (LLM_PROVIDER), each request priced as its first
    provider's entry in LLM_PRICES_USD (the one that answers unless it fails)."""
    price = settings.llm_prices().get(settings.llm_providers[0], 0.0)
    return PremiumModel(build_language_model(settings, metrics), price)


def build_gateway_model(settings: Settings, metrics: Metrics) -> LanguageModel | None:
    """The model the Gateway asks to phrase learning plans and to judge whether an answer
    addresses its topic's prompt: OpenAI's (or a compatible server's) when LLM_PROVIDER names
    openai. The offline model stays in the Tutor deployment, where its weights are loaded
    once; the Gateway does not load them again (and a 135M model is too weak to judge
    relevance), so without openai the rules build plans and judge relevance alone."""
    if "openai" not in settings.llm_providers:
        return None
    from adapters.llm.openai_chat import OpenAiChatModel

    def model(_: str) -> LanguageModel:
        return OpenAiChatModel(model=settings.openai_chat_model, **_openai(settings))

    return _chain(settings, metrics, ["openai"], model, FallbackLanguageModel)


def build_mailer(settings: Settings) -> Mailer:
    """SMTP when SMTP_HOST is set; otherwise mail is written to the log."""
    if not settings.smtp_host:
        return LogMailer()
    from adapters.mail.smtp import SmtpMailer

    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        security=settings.smtp_security,
        timeout_seconds=settings.provider_timeout_seconds,
    )


def build_realtime_tokens(settings: Settings) -> RealtimeTokenIssuer | None:
    """OpenAI's realtime sessions when OPENAI_API_KEY is set; otherwise none (501)."""
    if not settings.openai_api_key:
        return None
    from adapters.openai_api import openai_client
    from adapters.openai_realtime import OpenAIRealtimeTokens

    options = _openai(settings)
    return OpenAIRealtimeTokens(
        openai_client(
            options["api_key"],
            options["base_url"],
            options["timeout_seconds"],
            options["max_retries"],
        )
    )


def build_blob_store(settings: Settings, signing_key: bytes) -> BlobStore:
    """MinIO when MINIO_ENDPOINT (or S3_ENDPOINT_URL) names one (its bucket made when
    missing), otherwise files under BLOB_DIR served by the Gateway with links signed by
    `signing_key`."""
    if settings.minio_endpoint:
        from adapters.blobs.s3 import MinioBlobStore

        assert settings.minio_access_key and settings.minio_secret_key  # the settings check
        return MinioBlobStore(
            settings.minio_endpoint,
            settings.minio_access_key,
            settings.minio_secret_key,
            settings.minio_bucket,
            secure=settings.minio_secure,
            public_endpoint=settings.minio_public_endpoint,
        )
    return LocalBlobStore(
        settings.resolved_blob_dir, settings.resolved_public_base_url, signing_key
    )
