"""What the HTTP adapter needs from the composition root, and how routes reach it."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from adapters.http.realtime import ConversationHub
from domain.assessment.prompts import SpeakingPrompt
from domain.identity.authentication import Credentials
from ports.blobs import BlobStore
from ports.grammar import GrammarChecker
from ports.identity import AuthProvider, IdentityProvider
from ports.realtime import RealtimeTokenIssuer
from ports.scoring import AudioDecoder, SpeechScorer
from ports.speech import SpeechRecognizer
from ports.unit_of_work import UnitOfWork
from ports.vocabulary import VocabularyLevels


@dataclass(frozen=True)
class HttpServices:
    unit_of_work: Callable[[], UnitOfWork]
    credentials: Credentials
    identity_providers: Mapping[AuthProvider, IdentityProvider]
    blobs: BlobStore
    audio_decoder: AudioDecoder
    speech_scorer: SpeechScorer
    check_ready: Callable[[], Awaitable[None]]
    """Raises domain.errors.ServiceUnavailable when a dependency (the database) is down."""
    hub: ConversationHub
    vocabulary: VocabularyLevels
    speaking_prompts: tuple[SpeakingPrompt, ...]
    speech_recognizer: SpeechRecognizer | None
    grammar_checker: GrammarChecker | None
    """None when no provider is wired: the routes that need one answer 501."""
    realtime_tokens: RealtimeTokenIssuer | None


def _services(request: Request) -> HttpServices:
    return request.app.state.services


Services = Annotated[HttpServices, Depends(_services)]
