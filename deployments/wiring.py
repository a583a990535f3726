"""The composition root: settings in, adapters out. Ray deployments, the launcher and the
tests all build the product here."""

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.blobs.local import LocalBlobStore
from adapters.grammar.harper import HarperGrammarChecker
from adapters.http.rate_limits import RateLimits
from adapters.http.services import HttpServices
from adapters.http.socket_fanout import SocketFanout
from adapters.identity.argon2_passwords import Argon2PasswordHasher
from adapters.identity.jwt_tokens import JwtTokenCodec
from adapters.memory.cache import InMemoryCache
from adapters.memory.event_bus import InMemoryEventBus
from adapters.memory.revocations import InMemorySessionRevocations
from adapters.nats.event_bus import NatsEventBus
from adapters.rate_limiter import in_memory_rate_limiter, redis_rate_limiter
from adapters.redis.cache import RedisCache
from adapters.redis.revocations import RedisSessionRevocations
from adapters.speech.codec import FfmpegAudioDecoder
from adapters.sql.database import create_engine, session_factory
from adapters.sql.outbox import OutboxRelay
from adapters.sql.unit_of_work import SqlUnitOfWork
from adapters.vocabulary.cefrpy_levels import CefrpyVocabularyLevels
from deployments.demo.speaking_prompts import read_speaking_prompts
from deployments.providers import (
    build_identity_providers,
    build_realtime_tokens,
    build_recognizer,
    build_speech_scorer,
    build_synthesizer,
    build_tutor,
)
from deployments.settings import Settings
from domain.assessment.prompts import SpeakingPrompt
from domain.errors import ServiceUnavailable
from domain.identity.authentication import Credentials
from domain.identity.tokens import TokenPolicy
from domain.rate_limits import limits_with
from domain.synthesis import CachedSpeechSynthesizer
from domain.tutor.voice import VoicePipeline
from ports.blobs import BlobStore
from ports.cache import Cache
from ports.events import EventBus
from ports.grammar import GrammarChecker
from ports.identity import (
    AuthProvider,
    IdentityProvider,
    PasswordHasher,
    SessionRevocations,
)
from ports.rate_limits import RateLimiter
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
    rate_limiter: RateLimiter
    realtime_tokens: RealtimeTokenIssuer | None = None
    event_bus: EventBus | None = None
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    fanout: SocketFanout = field(init=False)

    def __post_init__(self) -> None:
        self.fanout = SocketFanout(self.blobs)

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
            fanout=self.fanout,
            vocabulary=self.vocabulary,
            speaking_prompts=self.speaking_prompts,
            grammar_checker=self.grammar_checker,
            realtime_tokens=self.realtime_tokens,
            rate_limits=RateLimits(
                self.rate_limiter,
                limits_with(self.settings.rate_limits),
                self.settings.forwarded_for_hops,
                lambda token: str(self.credentials.codec.decode(token, "access").user_id),
            ),
        )

    async def start(self) -> None:
        """Connects the event bus (NATS when NATS_URL is set, else in-process) and starts the
        outbox relay and the socket fan-out on it. Raises ServiceUnavailable when NATS is down."""
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
        await self.fanout.start(self.event_bus)
        self._closers.append(self.fanout.stop)

    async def aclose(self) -> None:
        for close in reversed(self._closers):
            await close()


def bootstrap(
    settings: Settings | None = None,
    *,
    speech_scorer: SpeechScorer | None = None,
    tutor: TutorReplies | None = None,
    synthesizer: SpeechSynthesizer | None = None,
    recognizer: SpeechRecognizer | None = None,
    realtime_tokens: RealtimeTokenIssuer | None = None,
    grammar_checker: GrammarChecker | None = None,
    vocabulary: VocabularyLevels | None = None,
    identity_providers: dict[AuthProvider, IdentityProvider] | None = None,
    blobs: BlobStore | None = None,
    audio_decoder: AudioDecoder | None = None,
    password_hasher: PasswordHasher | None = None,
) -> Container:
    """Every adapter from settings; each port given as an argument replaces the one settings
    would build (the Gateway passes handles to its deployments for the scorer, tutor,
    synthesizer and recognizer; tests pass their own)."""
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
        rate_limiter = redis_rate_limiter(redis, settings.redis_url)
        closers.append(redis.aclose)
    else:
        revocations = InMemorySessionRevocations()
        cache = InMemoryCache(settings.tts_cache_bytes)
        rate_limiter = in_memory_rate_limiter()

    if identity_providers is None:
        identity_providers = build_identity_providers(settings)
        closers.extend(p.aclose for p in identity_providers.values())  # type: ignore[attr-defined]

    relay = OutboxRelay(sessions)
    audio_decoder = audio_decoder or FfmpegAudioDecoder()

    return Container(
        settings=settings,
        engine=engine,
        unit_of_work=lambda: SqlUnitOfWork(sessions, relay.wake),
        credentials=Credentials(
            hasher=password_hasher or Argon2PasswordHasher(),
            codec=JwtTokenCodec(derive_key(secret, "access-tokens").hex()),
            revocations=revocations,
            policy=TokenPolicy(
                access_ttl=timedelta(minutes=settings.access_token_expire_minutes),
                refresh_ttl=timedelta(days=settings.refresh_token_expire_days),
            ),
        ),
        identity_providers=identity_providers,
        blobs=blobs
        or LocalBlobStore(
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
        grammar_checker=grammar_checker or HarperGrammarChecker(),
        vocabulary=vocabulary or CefrpyVocabularyLevels(),
        speaking_prompts=read_speaking_prompts(),
        relay=relay,
        rate_limiter=rate_limiter,
        realtime_tokens=realtime_tokens or build_realtime_tokens(settings),
        _closers=closers,
    )
