"""The composition root: settings in, adapters out. Ray deployments, the launcher and the
tests all build the product here."""

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from opentelemetry.sdk.trace import TracerProvider
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.http.admin_panel import mount_admin_panel
from adapters.http.rate_limits import RateLimits
from adapters.http.services import HttpServices
from adapters.http.socket_fanout import SocketFanout
from adapters.identity.argon2_passwords import Argon2PasswordHasher
from adapters.identity.jwt_tokens import JwtTokenCodec
from adapters.mail.log import LogMailer
from adapters.memory.cache import InMemoryCache
from adapters.memory.event_bus import InMemoryEventBus
from adapters.memory.revocations import InMemorySessionRevocations
from adapters.metrics import PrometheusMetrics
from adapters.nats.event_bus import NatsEventBus
from adapters.rate_limiter import in_memory_rate_limiter, redis_rate_limiter
from adapters.redis.cache import RedisCache
from adapters.redis.client import redis_client
from adapters.redis.revocations import RedisSessionRevocations
from adapters.reviews.fsrs_scheduler import FsrsScheduler
from adapters.speech.codec import PyAVAudioDecoder
from adapters.sql.database import create_engine, measure_pool, read_engine, session_factory
from adapters.sql.outbox import OutboxRelay
from adapters.sql.unit_of_work import SqlUnitOfWork
from adapters.vocabulary.cefrpy_levels import CefrpyVocabularyLevels
from deployments.demo.curriculum import read_curriculum
from deployments.demo.speaking_prompts import read_speaking_prompts
from deployments.providers import (
    build_blob_store,
    build_gateway_model,
    build_grammar_checker,
    build_identity_providers,
    build_mailer,
    build_premium_model,
    build_realtime_tokens,
    build_recognizer,
    build_speech_scorer,
    build_synthesizer,
    build_tutor,
)
from deployments.settings import Settings
from deployments.tracing import flush
from domain.assessment.prompts import SpeakingPrompt
from domain.content.cache import CatalogueCache
from domain.courses.premium import PremiumModel
from domain.curriculum.activity import ACTIVITY_CONSUMERS, ActivityConsumer
from domain.curriculum.content import Curriculum
from domain.errors import NotConfigured, ServiceUnavailable
from domain.identity.authentication import Credentials
from domain.identity.password_reset import ResetMail
from domain.identity.tokens import TokenPolicy
from domain.rate_limits import limits_with
from domain.synthesis import CachedSpeechSynthesizer
from domain.tutor.voice import VoicePipeline
from ports.blobs import BlobStore
from ports.cache import Cache
from ports.events import Event, EventBus, EventHandler
from ports.grammar import GrammarChecker
from ports.identity import (
    AuthProvider,
    IdentityProvider,
    PasswordHasher,
    SessionRevocations,
)
from ports.language_model import LanguageModel
from ports.mail import Mailer
from ports.metrics import Metrics
from ports.rate_limits import RateLimiter
from ports.realtime import RealtimeTokenIssuer
from ports.reviews import ReviewScheduler
from ports.scoring import AudioDecoder, SpeechScorer
from ports.speech import SpeechRecognizer, SpeechSynthesizer
from ports.tutoring import TutorReplies
from ports.unit_of_work import UnitOfWork
from ports.vocabulary import VocabularyLevels

logger = logging.getLogger(__name__)

# A readiness probe answers within its own timeout (Kubernetes' default is 1 s): each
# dependency gets this long, all of them at once.
READY_CHECK_SECONDS = 0.8
READY_PROBE_KEY = "readiness-probe"


def derive_key(secret: str, purpose: str) -> bytes:
    """One secret setting, a separate key per use, so a leak of one use reveals no other."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    unit_of_work: Callable[[], UnitOfWork]
    reads: Callable[[], UnitOfWork]
    """Units of work for use cases that only read: no transaction (`SqlUnitOfWork`)."""
    catalogue: CatalogueCache
    credentials: Credentials
    identity_providers: dict[AuthProvider, IdentityProvider]
    blobs: BlobStore
    audio_decoder: AudioDecoder
    speech_scorer: SpeechScorer
    voice: VoicePipeline
    grammar_checker: GrammarChecker
    vocabulary: VocabularyLevels
    speaking_prompts: tuple[SpeakingPrompt, ...]
    curriculum: Curriculum
    relay: OutboxRelay
    premium_model: PremiumModel
    rate_limiter: RateLimiter
    metrics: Metrics
    redis: Redis | None = None
    realtime_tokens: RealtimeTokenIssuer | None = None
    event_bus: EventBus | None = None
    review_scheduler: ReviewScheduler = field(default_factory=FsrsScheduler)
    plan_model: LanguageModel | None = None
    relevance_model: LanguageModel | None = None
    mailer: Mailer = field(default_factory=LogMailer)
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    fanout: SocketFanout = field(init=False)

    def __post_init__(self) -> None:
        self.fanout = SocketFanout(self.blobs)

    async def check_ready(self) -> dict[str, str]:
        """Each configured dependency ("database", "blob_store", and "redis" and "nats" when
        set) with "ok" or why it is not: all asked at once, each within
        READY_CHECK_SECONDS."""
        checks: dict[str, Callable[[], Awaitable[object]]] = {
            "database": self._query_database,
            "blob_store": partial(self.blobs.exists, READY_PROBE_KEY),
        }
        if self.redis is not None:
            checks["redis"] = self.redis.ping
        if self.settings.nats_url:
            checks["nats"] = self._reach_nats
        results = await asyncio.gather(*(self._status(*check) for check in checks.items()))
        return dict(zip(checks, results, strict=True))

    @staticmethod
    async def _status(name: str, check: Callable[[], Awaitable[object]]) -> str:
        # The probe is public: the body names the failure's kind, the log its details.
        try:
            await asyncio.wait_for(check(), READY_CHECK_SECONDS)
        except TimeoutError:
            logger.warning("not ready: %s did not answer within %s s", name, READY_CHECK_SECONDS)
            return "no answer in time"
        except Exception as error:  # whatever the client raises, the dependency is down
            logger.warning("not ready: %s: %r", name, error)
            return f"unavailable ({type(error).__name__})"
        return "ok"

    async def _query_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _reach_nats(self) -> None:
        if not isinstance(self.event_bus, NatsEventBus):
            raise ServiceUnavailable("The event bus has not connected yet")
        await self.event_bus.check(READY_CHECK_SECONDS)

    def http_services(self) -> HttpServices:
        return HttpServices(
            unit_of_work=self.unit_of_work,
            reads=self.reads,
            catalogue=self.catalogue,
            credentials=self.credentials,
            identity_providers=self.identity_providers,
            blobs=self.blobs,
            audio_decoder=self.audio_decoder,
            speech_scorer=self.speech_scorer,
            voice=self.voice,
            check_ready=self.check_ready,
            metrics=self.metrics,
            fanout=self.fanout,
            vocabulary=self.vocabulary,
            speaking_prompts=self.speaking_prompts,
            curriculum=self.curriculum,
            grammar_checker=self.grammar_checker,
            default_dialect=self.settings.default_english_dialect,
            realtime_tokens=self.realtime_tokens,
            admin_panel=partial(
                mount_admin_panel,
                engine=self.engine,
                secret_key=derive_key(self.settings.resolved_secret_key(), "admin-panel").hex(),
                credentials=self.credentials,
                unit_of_work=self.unit_of_work,
                on_catalogue_change=self.catalogue.changed,
            ),
            review_scheduler=self.review_scheduler,
            plan_model=self.plan_model,
            relevance_model=self.relevance_model,
            mailer=self.mailer,
            reset_mail=ResetMail(self.settings.password_reset_url),
            allowed_origins=tuple(self.settings.cors_origins),
            premium_model=self.premium_model,
            rate_limits=RateLimits(
                self.rate_limiter,
                limits_with(self.settings.rate_limits),
                self.settings.forwarded_for_hops,
                lambda token: str(self.credentials.codec.decode(token, "access").user_id),
            ),
        )

    async def start(self) -> None:
        """Connects the event bus (NATS when NATS_URL is set, else in-process) and starts the
        outbox relay, the socket fan-out and the learning-activity consumers on it (every
        replica runs them; on NATS they compete for each event). Raises ServiceUnavailable
        when NATS is down. The catalogue's cached reads start stale: what changed while no
        replica ran (a restored database) never told the cache."""
        await self.catalogue.changed()
        if self.settings.nats_url:
            self.event_bus = await self.connect_nats()
        else:
            self.event_bus = InMemoryEventBus()
        self._closers.append(self.event_bus.close)
        self.relay.start(self.event_bus)
        self._closers.append(self.relay.stop)
        await self.fanout.start(self.event_bus)
        self._closers.append(self.fanout.stop)
        # A reset code in the log is a secret in the log: say so where operators look.
        log = logger.warning if isinstance(self.mailer, LogMailer) else logger.info
        log("password reset mail goes to %s", self.mailer.description)
        for consumer in ACTIVITY_CONSUMERS:
            subscription = await self.event_bus.consume(
                consumer.name, consumer.event_type, self._applying(consumer)
            )
            self._closers.append(subscription.stop)

    async def connect_nats(self) -> NatsEventBus:
        """The NATS event bus the settings name (the caller closes it). NotConfigured without
        NATS_URL; ServiceUnavailable when NATS is down."""
        if not self.settings.nats_url:
            raise NotConfigured(
                "NATS_URL is not set: events are in process, with no dead letters",
                {"setting": "NATS_URL"},
            )
        prefix = self.settings.nats_subject_prefix
        return await NatsEventBus.connect(
            self.settings.nats_url,
            stream=self.settings.nats_stream,
            subject_prefix=f"{prefix}.events",
            dead_letter_subject=f"{prefix}.dead_letter",
        )

    def _applying(self, consumer: ActivityConsumer) -> EventHandler:
        async def apply(event: Event) -> None:
            await consumer.apply(event, self.unit_of_work())

        return apply

    async def aclose(self) -> None:
        for close in reversed(self._closers):
            await close()


async def shut_down(container: Container, tracing: TracerProvider | None) -> None:
    """What an app's shutdown does: the container closes, the last spans go out."""
    await container.aclose()
    await flush(tracing)


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
    plan_model: LanguageModel | None = None,
    relevance_model: LanguageModel | None = None,
    mailer: Mailer | None = None,
    premium_model: PremiumModel | None = None,
    metrics: Metrics | None = None,
) -> Container:
    """Every adapter from settings; each port given as an argument replaces the one settings
    would build (the Gateway passes handles to its deployments for the scorer, tutor,
    synthesizer and recognizer; tests pass their own). Metrics go to `metrics` (Ray's under
    Ray Serve), else to a Prometheus registry of the container's own."""
    settings = settings or Settings()
    metrics = metrics or PrometheusMetrics()
    secret = settings.resolved_secret_key()
    engine = create_engine(settings.resolved_database_url, pool_size=settings.database_pool_size)
    measure_pool(engine, metrics)
    sessions = session_factory(engine)
    readers = read_engine(engine)
    read_sessions = session_factory(readers)
    closers: list[Callable[[], Awaitable[None]]] = [engine.dispose]
    if readers.sync_engine.pool is not engine.sync_engine.pool:
        closers.append(readers.dispose)

    revocations: SessionRevocations
    redis: Redis | None = None
    if settings.redis_url:
        redis = redis_client(settings.redis_url)
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
    catalogue = CatalogueCache(cache)
    gateway_model = build_gateway_model(settings, metrics)
    audio_decoder = audio_decoder or PyAVAudioDecoder()

    return Container(
        settings=settings,
        engine=engine,
        unit_of_work=lambda: SqlUnitOfWork(sessions, relay.wake, catalogue.changed),
        reads=lambda: SqlUnitOfWork(read_sessions, read_only=True),
        catalogue=catalogue,
        credentials=Credentials(
            hasher=password_hasher or Argon2PasswordHasher(),
            codec=JwtTokenCodec(
                derive_key(secret, "access-tokens").hex(),
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
            ),
            revocations=revocations,
            policy=TokenPolicy(
                access_ttl=timedelta(minutes=settings.access_token_expire_minutes),
                refresh_ttl=timedelta(days=settings.refresh_token_expire_days),
            ),
        ),
        identity_providers=identity_providers,
        blobs=blobs or build_blob_store(settings, derive_key(secret, "blob-urls")),
        audio_decoder=audio_decoder,
        speech_scorer=speech_scorer or build_speech_scorer(settings, metrics),
        voice=VoicePipeline(
            decoder=audio_decoder,
            recognizer=recognizer or build_recognizer(settings, metrics),
            tutor=tutor or build_tutor(settings, metrics),
            synthesizer=CachedSpeechSynthesizer(
                synthesizer or build_synthesizer(settings, metrics), cache
            ),
        ),
        # The rules and Harper check a sentence in milliseconds: the Gateway runs them for
        # assessments (the lexicon and Harper's dictionaries load at the first check).
        grammar_checker=grammar_checker or build_grammar_checker(),
        vocabulary=vocabulary or CefrpyVocabularyLevels(),
        speaking_prompts=read_speaking_prompts(),
        curriculum=read_curriculum(),
        relay=relay,
        # The premium features' few short completions run in the Gateway (the offline model
        # loads there at its first premium request).
        premium_model=premium_model or build_premium_model(settings, metrics),
        rate_limiter=rate_limiter,
        metrics=metrics,
        redis=redis,
        realtime_tokens=realtime_tokens or build_realtime_tokens(settings),
        plan_model=plan_model or gateway_model,
        relevance_model=relevance_model or gateway_model,
        mailer=mailer or build_mailer(settings),
        _closers=closers,
    )
