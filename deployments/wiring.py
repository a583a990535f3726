"""The composition root: settings in, adapters out. Ray deployments, the launcher and the
tests all build the product here."""

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.blobs.local import LocalBlobStore
from adapters.fallback import (
    FallbackLanguageModel,
    FallbackSpeechRecognizer,
    FallbackSpeechSynthesizer,
)
from adapters.grammar.harper import HarperGrammarChecker
from adapters.http.realtime import ConversationHub
from adapters.http.services import HttpServices
from adapters.identity.argon2_passwords import Argon2PasswordHasher
from adapters.identity.jwt_tokens import JwtTokenCodec
from adapters.identity.social import (
    AppleIdentityProvider,
    FacebookIdentityProvider,
    GoogleIdentityProvider,
)
from adapters.memory.cache import InMemoryCache
from adapters.memory.event_bus import InMemoryEventBus
from adapters.memory.revocations import InMemorySessionRevocations
from adapters.nats.event_bus import NatsEventBus
from adapters.redis.cache import RedisCache
from adapters.redis.revocations import RedisSessionRevocations
from adapters.speech.codec import FfmpegAudioDecoder
from adapters.speech.espeak import EspeakSynthesizer
from adapters.sql.database import create_engine, session_factory
from adapters.sql.outbox import OutboxRelay
from adapters.sql.unit_of_work import SqlUnitOfWork
from adapters.vocabulary.cefrpy_levels import CefrpyVocabularyLevels
from deployments.demo.speaking_prompts import read_speaking_prompts
from deployments.settings import Settings, comma_list
from domain.assessment.prompts import SpeakingPrompt
from domain.errors import ServiceUnavailable
from domain.identity.authentication import Credentials
from domain.identity.tokens import TokenPolicy
from domain.synthesis import CachedSpeechSynthesizer
from domain.tutor.tutor import Tutor
from domain.tutor.voice import VoicePipeline
from ports.blobs import BlobStore
from ports.cache import Cache
from ports.events import EventBus
from ports.grammar import GrammarChecker
from ports.identity import AuthProvider, IdentityProvider, SessionRevocations
from ports.language_model import LanguageModel
from ports.realtime import RealtimeTokenIssuer
from ports.scoring import AudioDecoder, SpeechScorer
from ports.speech import SpeechRecognizer, SpeechSynthesizer
from ports.tutoring import TutorReplies
from ports.unit_of_work import UnitOfWork
from ports.vocabulary import VocabularyLevels


def derive_key(secret: str, purpose: str) -> bytes:
    """One secret setting, a separate key per use, so a leak of one use reveals no other."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    unit_of_work: Callable[[], UnitOfWork]
    credentials: Credentials
    identity_providers: dict[AuthProvider, IdentityProvider]
    blobs: BlobStore
    audio_decoder: AudioDecoder
    speech_scorer: SpeechScorer
    voice: VoicePipeline
    grammar_checker: GrammarChecker
    vocabulary: VocabularyLevels
    speaking_prompts: tuple[SpeakingPrompt, ...]
    relay: OutboxRelay
    realtime_tokens: RealtimeTokenIssuer | None = None
    event_bus: EventBus | None = None
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    hub: ConversationHub = field(init=False)

    def __post_init__(self) -> None:
        self.hub = ConversationHub(self.blobs)

    async def check_ready(self) -> None:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as e:  # any driver error means the same thing here: not ready
            raise ServiceUnavailable("Database is unreachable") from e

    def http_services(self) -> HttpServices:
        return HttpServices(
            unit_of_work=self.unit_of_work,
            credentials=self.credentials,
            identity_providers=self.identity_providers,
            blobs=self.blobs,
            audio_decoder=self.audio_decoder,
            speech_scorer=self.speech_scorer,
            voice=self.voice,
            check_ready=self.check_ready,
            hub=self.hub,
            vocabulary=self.vocabulary,
            speaking_prompts=self.speaking_prompts,
            grammar_checker=self.grammar_checker,
            realtime_tokens=self.realtime_tokens,
        )

    async def start(self) -> None:
        """Connects the event bus (NATS when NATS_URL is set, else in-process) and starts the
        outbox relay and the real-time hub on it. Raises ServiceUnavailable when NATS is down."""
        if self.settings.nats_url:
            prefix = self.settings.nats_subject_prefix
            self.event_bus = await NatsEventBus.connect(
                self.settings.nats_url,
                stream=self.settings.nats_stream,
                subject_prefix=f"{prefix}.events",
                dead_letter_subject=f"{prefix}.dead_letter",
            )
        else:
            self.event_bus = InMemoryEventBus()
        self._closers.append(self.event_bus.close)
        self.relay.start(self.event_bus)
        self._closers.append(self.relay.stop)
        await self.hub.start(self.event_bus)
        self._closers.append(self.hub.stop)

    async def aclose(self) -> None:
        for close in reversed(self._closers):
            await close()


def _identity_providers(settings: Settings) -> dict[AuthProvider, IdentityProvider]:
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


def build_speech_scorer(settings: Settings) -> SpeechScorer:
    """The scorer SPEECH_PROVIDER names, loaded in this process. Imported here, not at the
    top, so that a process that never scores loads neither models nor native SDKs."""
    if settings.speech_provider == "azure":
        from adapters.speech.azure_scorer import AzureSpeechScorer

        assert settings.azure_speech_key and settings.azure_speech_region  # Settings checks
        return AzureSpeechScorer(settings.azure_speech_key, settings.azure_speech_region)
    from adapters.speech.pocketsphinx_scorer import PocketsphinxScorer

    return PocketsphinxScorer()


P = TypeVar("P")


def _chain(names: list[str], build: Callable[[str], P], fallback: Callable[[list[P]], P]) -> P:
    """One adapter per provider name, wrapped in a fallback chain when there are several."""
    adapters = [build(name) for name in names]
    return adapters[0] if len(adapters) == 1 else fallback(adapters)


def _cloud(settings: Settings) -> dict[str, Any]:
    """What every cloud adapter takes: how long to wait and how often to retry."""
    return {"timeout_seconds": settings.provider_timeout_seconds}


def _openai(settings: Settings) -> dict[str, Any]:
    assert settings.openai_api_key  # Settings refuses to start without it
    return {
        "api_key": settings.openai_api_key,
        "base_url": settings.openai_base_url,
        "max_retries": settings.provider_retries,
        **_cloud(settings),
    }


def _elevenlabs(settings: Settings) -> dict[str, Any]:
    assert settings.elevenlabs_api_key
    return {
        "api_key": settings.elevenlabs_api_key,
        "base_url": settings.elevenlabs_base_url,
        "max_retries": settings.provider_retries,
        **_cloud(settings),
    }


def _azure(settings: Settings) -> dict[str, Any]:
    assert settings.azure_speech_key and settings.azure_speech_region
    return {
        "key": settings.azure_speech_key,
        "region": settings.azure_speech_region,
        "attempts": settings.provider_retries + 1,
        **_cloud(settings),
    }


# Each builder imports its adapters when it is used, so that a process loads only the models
# and SDKs of the providers it runs.


def build_recognizer(settings: Settings) -> SpeechRecognizer:
    """The recognizers STT_PROVIDER names, in fallback order, loaded in this process."""

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
        from adapters.speech.whisper_recognizer import WhisperSpeechRecognizer

        return WhisperSpeechRecognizer(settings.model_dir / "whisper-base")

    return _chain(settings.stt_providers, recognizer, FallbackSpeechRecognizer)


def build_synthesizer(settings: Settings) -> SpeechSynthesizer:
    """The synthesizers TTS_PROVIDER names, in fallback order, loaded in this process."""

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
        return EspeakSynthesizer()

    return _chain(settings.tts_providers, synthesizer, FallbackSpeechSynthesizer)


def build_tutor(settings: Settings) -> Tutor:
    """The tutor with the language models LLM_PROVIDER names and the grammar checker."""

    def model(name: str) -> LanguageModel:
        if name == "openai":
            from adapters.llm.openai_chat import OpenAiChatModel

            return OpenAiChatModel(model=settings.openai_chat_model, **_openai(settings))
        from adapters.llm.llama_cpp import LlamaCppChatModel

        return LlamaCppChatModel()

    return Tutor(
        _chain(settings.llm_providers, model, FallbackLanguageModel), HarperGrammarChecker()
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


def bootstrap(
    settings: Settings | None = None,
    *,
    speech_scorer: SpeechScorer | None = None,
    tutor: TutorReplies | None = None,
    synthesizer: SpeechSynthesizer | None = None,
    recognizer: SpeechRecognizer | None = None,
    realtime_tokens: RealtimeTokenIssuer | None = None,
) -> Container:
    """Every adapter from settings. The Gateway passes handles to its deployments in place
    of the in-process scorer, tutor, synthesizer and recognizer."""
    settings = settings or Settings()
    secret = settings.resolved_secret_key()
    engine = create_engine(settings.resolved_database_url, pool_size=settings.database_pool_size)
    sessions = session_factory(engine)
    closers: list[Callable[[], Awaitable[None]]] = [engine.dispose]

    revocations: SessionRevocations
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url)
        revocations = RedisSessionRevocations(redis)
        cache: Cache = RedisCache(redis)
        closers.append(redis.aclose)
    else:
        revocations = InMemorySessionRevocations()
        cache = InMemoryCache(settings.tts_cache_bytes)

    providers = _identity_providers(settings)
    closers.extend(p.aclose for p in providers.values())  # type: ignore[attr-defined]

    relay = OutboxRelay(sessions)
    audio_decoder = FfmpegAudioDecoder()

    return Container(
        settings=settings,
        engine=engine,
        unit_of_work=lambda: SqlUnitOfWork(sessions, relay.wake),
        credentials=Credentials(
            hasher=Argon2PasswordHasher(),
            codec=JwtTokenCodec(derive_key(secret, "access-tokens").hex()),
            revocations=revocations,
            policy=TokenPolicy(
                access_ttl=timedelta(minutes=settings.access_token_expire_minutes),
                refresh_ttl=timedelta(days=settings.refresh_token_expire_days),
            ),
        ),
        identity_providers=providers,
        blobs=LocalBlobStore(
            settings.resolved_blob_dir,
            settings.resolved_public_base_url,
            derive_key(secret, "blob-urls"),
        ),
        audio_decoder=audio_decoder,
        speech_scorer=speech_scorer or build_speech_scorer(settings),
        voice=VoicePipeline(
            decoder=audio_decoder,
            recognizer=recognizer or build_recognizer(settings),
            tutor=tutor or build_tutor(settings),
            synthesizer=CachedSpeechSynthesizer(synthesizer or build_synthesizer(settings), cache),
        ),
        # Harper checks a sentence in milliseconds: the Gateway runs it for assessments.
        grammar_checker=HarperGrammarChecker(),
        vocabulary=CefrpyVocabularyLevels(),
        speaking_prompts=read_speaking_prompts(),
        relay=relay,
        realtime_tokens=realtime_tokens or build_realtime_tokens(settings),
        _closers=closers,
    )
