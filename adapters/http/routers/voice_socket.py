"""000's voice WebSockets. Audio travels base64-encoded in JSON text frames: the client sends
it as a string, the server as {"media_type", "sample_rate", "data_base64"} (as over REST);
every reply that speaks carries its audio.

/ws/english-only[?level=A2&topic=...&session_id=...]: the English-only tutor. The server
opens a conversation session and sends "greeting" (or, with session_id, resumes one and
sends "resumed"). The client sends {"type": "audio", "audio": base64} or {"type": "text",
"text"}; the server answers "transcription" (for audio), then "response" with the tutor's
text, audio and "analysis" (corrections, corrected text, stage). {"type": "end"} ends the
session. The session and its turns are stored as for /conversations/sessions, so a client
can reconnect to any replica and resume.

/ws/learn: the Urdu learner's flow (domain.tutor.learn): "audio" in Urdu -> "translation"
(or "speak_urdu"); "you_said_complete" -> "word_by_word"; "word_by_word_complete" ->
"full_sentence"; "audio" of the repeat -> "success", or "correction" and "word_by_word"
again.

Both authenticate like the messaging socket (?token=, Authorization header, or a first
{"type": "auth", "token"} message), end with their access token unless an "auth" message
renews it (adapters/http/sockets.py), and answer a failed request with an "error" message,
keeping the socket open."""

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from adapters.http.audio import AudioOut
from adapters.http.corrections import CorrectionOut
from adapters.http.services import HttpServices
from adapters.http.sockets import (
    AUTH,
    DirectWriter,
    InternalError,
    SocketAuthentication,
    accept_authenticated,
    bearer_token,
    count_message,
    error_message,
    parse_request,
)
from domain.errors import DomainError, InvalidInput
from domain.learning.history import record_pronunciation
from domain.pronunciation.scoring import ScoredRecording
from domain.recordings import MAX_AUDIO_BYTES
from domain.tutor import sessions as tutoring
from domain.tutor.learn import LearnConversation, LearnPorts, Reply
from domain.tutor.voice import take_voice_turn
from ports.cefr import CefrLevel
from ports.identity import TokenClaims
from ports.learning import AnalysisSource
from ports.speech import SynthesizedSpeech
from ports.tutoring import InputMode, TutorReply, TutorSession

logger = logging.getLogger(__name__)
router = APIRouter(tags=["voice tutor"])

MAX_FRAME_CHARS = MAX_AUDIO_BYTES * 4 // 3 + 4096  # base64 audio plus the JSON around it
# The protocols, documented message by message in docs/asyncapi.yaml (with the shared "auth"
# and "error"): what the client sends once authenticated, and what each socket sends.
ENGLISH_ONLY_CLIENT_MESSAGES = ("audio", "text", "end")
ENGLISH_ONLY_SERVER_MESSAGES = ("greeting", "resumed", "transcription", "response", "session_ended")
LEARN_CLIENT_MESSAGES = ("audio", "you_said_complete", "word_by_word_complete")
LEARN_SERVER_MESSAGES = (
    "ready",
    "translation",
    "speak_urdu",
    "word_by_word",
    "full_sentence",
    "success",
    "correction",
)


def _unknown(request: str, known: tuple[str, ...]) -> InvalidInput:
    return InvalidInput(
        f"Unknown message type {request!r}; one of {', '.join(known)}", {"field": "type"}
    )


def _audio_out(speech: SynthesizedSpeech) -> dict[str, object]:
    return AudioOut.of(speech).model_dump()


def _json(value: Any) -> Any:
    if isinstance(value, SynthesizedSpeech):
        return _audio_out(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _recording(document: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(document["audio"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        raise InvalidInput("audio must be base64-encoded audio", {"field": "audio"}) from None


async def _converse(
    websocket: WebSocket,
    services: HttpServices,
    claims: TokenClaims,
    handle: Callable[[str, dict[str, Any]], Awaitable[bool]],
) -> None:
    """Requests until the client leaves, its token expires or `handle` returns False; a
    request that fails (a spent rate limit too) is answered with an error and the socket
    stays open."""
    authentication = SocketAuthentication(
        websocket, claims, services.credentials, DirectWriter(websocket)
    )
    while True:
        text = await authentication.receive_text()
        request = None
        try:
            document = parse_request(text, MAX_FRAME_CHARS)
            request = document["type"]
            await count_message(websocket, services.rate_limits, authentication.claims)
            if request == AUTH:
                await authentication.renew(document)
            elif not await handle(request, document):
                return
        except DomainError as error:
            await websocket.send_json(error_message(error, request))
        except Exception:  # as over HTTP: logged, answered, and the socket stays usable
            logger.exception("Unhandled error on a voice socket request %r", request)
            await websocket.send_json(
                error_message(InternalError("Internal server error"), request)
            )


def _analysis(reply: TutorReply, session: TutorSession) -> dict[str, Any]:
    return {
        "corrections": [CorrectionOut.of(c).model_dump() for c in reply.corrections],
        "corrected_text": reply.corrected_text,
        "stage": session.stage.value,
        "provider": reply.provider,
    }


async def _open_session(
    websocket: WebSocket, services: HttpServices, user_id: UUID
) -> TutorSession:
    params = websocket.query_params
    if session_id := params.get("session_id"):
        try:
            resumed = UUID(session_id)
        except ValueError:
            raise InvalidInput("session_id must be a UUID", {"field": "session_id"}) from None
        session = await tutoring.get_session(user_id, resumed, services.unit_of_work())
        await websocket.send_json(
            {"type": "resumed", "session_id": session_id, "stage": session.stage.value}
        )
        return session
    try:
        level = CefrLevel(params.get("level", CefrLevel.A2.value))
    except ValueError:
        raise InvalidInput("level must be one of A1..C2", {"field": "level"}) from None
    session, greeting = await tutoring.start_session(
        user_id, level, params.get("topic"), services.unit_of_work()
    )
    speech = await services.voice.synthesizer.synthesize(greeting.text)
    await websocket.send_json(
        {
            "type": "greeting",
            "session_id": str(session.id),
            "text": greeting.text,
            "audio": _audio_out(speech),
            "stage": session.stage.value,
        }
    )
    return session


@router.websocket("/ws/english-only")
async def english_only(websocket: WebSocket) -> None:
    services: HttpServices = websocket.app.state.services
    token = websocket.query_params.get("token") or bearer_token(websocket)
    claims = await accept_authenticated(
        websocket, token, services.credentials, services.rate_limits
    )
    if claims is None:
        return
    user_id = claims.user_id
    try:
        try:
            session = await _open_session(websocket, services, user_id)
        except DomainError as error:
            await websocket.send_json(error_message(error, "connect"))
            await websocket.close(1008)
            return

        async def handle(request: str, document: dict[str, Any]) -> bool:
            uow = services.unit_of_work()
            if request == "audio":
                spoken = await take_voice_turn(
                    user_id,
                    session.id,
                    _recording(document),
                    services.voice,
                    uow,
                    services.default_dialect,
                )
                await websocket.send_json({"type": "transcription", "text": spoken.transcript.text})
                turn, speech = spoken.turn, spoken.speech
            elif request == "text":
                text = document.get("text")
                if not isinstance(text, str):
                    raise InvalidInput("text must be a string", {"field": "text"})
                turn = await tutoring.take_turn(
                    user_id,
                    session.id,
                    text,
                    InputMode.TEXT,
                    services.voice.tutor,
                    uow,
                    services.default_dialect,
                )
                speech = await services.voice.synthesizer.synthesize(turn.tutor.text)
            elif request == "end":
                await tutoring.end_session(user_id, session.id, uow)
                await websocket.send_json({"type": "session_ended", "session_id": str(session.id)})
                await websocket.close()
                return False
            else:
                raise _unknown(request, ENGLISH_ONLY_CLIENT_MESSAGES)
            await websocket.send_json(
                {
                    "type": "response",
                    "text": turn.tutor.text,
                    "audio": _audio_out(speech),
                    "analysis": _analysis(turn.reply, turn.session),
                }
            )
            return True

        await _converse(websocket, services, claims, handle)
    except WebSocketDisconnect:
        pass


def _message(reply: Reply) -> dict[str, Any]:
    message = {"type": reply.type, "text": reply.text, **_json(reply.data)}
    if reply.speech is not None:
        message["audio"] = _audio_out(reply.speech)
    return message


@router.websocket("/ws/learn")
async def learn(websocket: WebSocket) -> None:
    services: HttpServices = websocket.app.state.services
    token = websocket.query_params.get("token") or bearer_token(websocket)
    claims = await accept_authenticated(
        websocket, token, services.credentials, services.rate_limits
    )
    if claims is None:
        return

    async def keep(scored: ScoredRecording) -> object:
        source = AnalysisSource.LEARN_REPEAT
        return await record_pronunciation(claims.user_id, source, scored, services.unit_of_work())

    conversation = LearnConversation(
        LearnPorts(
            services.audio_decoder,
            services.voice.recognizer,
            services.voice.synthesizer,
            services.speech_scorer,
            keep,
        )
    )

    async def handle(request: str, document: dict[str, Any]) -> bool:
        if request == "audio":
            replies = await conversation.heard(_recording(document))
        elif request == "you_said_complete":
            replies = await conversation.you_said_complete()
        elif request == "word_by_word_complete":
            replies = await conversation.word_by_word_complete()
        else:
            raise _unknown(request, LEARN_CLIENT_MESSAGES)
        for reply in replies:
            await websocket.send_json(_message(reply))
        return True

    try:
        await websocket.send_json({"type": "ready", "step": conversation.step.value})
        await _converse(websocket, services, claims, handle)
    except WebSocketDisconnect:
        pass
