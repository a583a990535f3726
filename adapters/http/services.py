"""What the HTTP adapter needs from the composition root, and how routes reach it."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from adapters.http.rate_limits import RateLimits
from adapters.http.socket_fanout import SocketFanout
from domain.assessment.prompts import SpeakingPrompt
from domain.content.cache import CatalogueCache
from domain.courses.premium import PremiumModel
from domain.curriculum.content import Curriculum
from domain.identity.authentication import Credentials
from domain.identity.password_reset import ResetMail
from domain.tutor.voice import VoicePipeline
from ports.blobs import BlobStore
from ports.grammar import Dialect, GrammarChecker
from ports.identity import AuthProvider, IdentityProvider
from ports.language_model import LanguageModel
from ports.mail import Mailer
from ports.metrics import Metrics
from ports.realtime import RealtimeTokenIssuer
from ports.reviews import ReviewScheduler
from ports.scoring import AudioDecoder, SpeechScorer
from ports.unit_of_work import UnitOfWork
from ports.vocabulary import VocabularyLevels


@dataclass(frozen=True)
class HttpServices:
    unit_of_work: Callable[[], UnitOfWork]
    reads: Callable[[], UnitOfWork]
    """Units of work for use cases that only read: no transaction round trips; commit raises."""
    catalogue: CatalogueCache
    credentials: Credentials
    identity_providers: Mapping[AuthProvider, IdentityProvider]
    blobs: BlobStore
    audio_decoder: AudioDecoder
    speech_scorer: SpeechScorer
    voice: VoicePipeline
    """Recognition, the tutor and synthesis: the ports of a spoken turn."""
    check_ready: Callable[[], Awaitable[dict[str, str]]]
    """Each configured dependency (database, blob store, Redis, NATS) with "ok" or what is
    wrong with it."""
    metrics: Metrics
    fanout: SocketFanout
    """Forwards messaging events to this replica's WebSockets."""
    vocabulary: VocabularyLevels
    speaking_prompts: tuple[SpeakingPrompt, ...]
    curriculum: Curriculum
    grammar_checker: GrammarChecker
    default_dialect: Dialect
    """The English a learner is taught until they choose (DEFAULT_ENGLISH_DIALECT)."""
    realtime_tokens: RealtimeTokenIssuer | None
    """None when no realtime provider is configured: /realtime/token answers 501."""
    rate_limits: RateLimits
    premium_model: PremiumModel
    """The language model of the premium course features, and its price per request."""
    review_scheduler: ReviewScheduler
    plan_model: LanguageModel | None
    """None when no language model is configured for the Gateway: plans are the rules'."""
    relevance_model: LanguageModel | None
    """Judges an answer's relevance to its topic; None: the rules judge it."""
    mailer: Mailer
    reset_mail: ResetMail
    admin_panel: Callable[[FastAPI], None] | None = None
    """Mounts the admin panel at /admin on the app (None: the app has no panel)."""
    allowed_origins: tuple[str, ...] = ()
    """Browser origins allowed to call the API across origins ("*" for any); none: no CORS."""


# async: FastAPI runs a plain-def dependency in its thread pool, a thread hop per request
# (measured in process: about 7% of the CPU of GET /tags on PostgreSQL).
async def _services(request: Request) -> HttpServices:
    return request.app.state.services


Services = Annotated[HttpServices, Depends(_services)]
