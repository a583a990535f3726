"""/speech: pronunciation scoring, transcription and synthesis (004 and 002)."""

from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import NOT_BLANK, StrictFloat
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.learning.history import record_pronunciation
from domain.pronunciation import scoring
from domain.recordings import transcribe_recording
from domain.synthesis import MAX_SPEED, MAX_SYNTHESIS_CHARS, MIN_SPEED, check_synthesis
from ports.learning import AnalysisSource
from ports.scoring import ScoringResult, WordError, WordScore
from ports.speech import STREAM_MEDIA_TYPE, RecognitionTask

router = APIRouter(prefix="/speech", tags=["speech"])


class PhonemeScoreOut(BaseModel):
    phoneme: str
    score: float
    error_type: WordError = Field(
        description="Mispronunciation: another phone was said in its place (heard); "
        "Omission: it was left out; None otherwise"
    )
    heard: str | None = Field(
        description="The phone said instead of this one, as Azure's NBest phonemes name it "
        '(e.g. "s" said for "th"); null unless error_type is Mispronunciation'
    )


class WordScoreOut(BaseModel):
    word: str
    score: float
    error_type: WordError
    phonemes: list[PhonemeScoreOut]

    @classmethod
    def of(cls, w: WordScore) -> "WordScoreOut":
        return cls(
            word=w.word,
            score=w.score,
            error_type=w.error_type,
            phonemes=[
                PhonemeScoreOut(
                    phoneme=p.phoneme, score=p.score, error_type=p.error_type, heard=p.heard
                )
                for p in w.phonemes
            ],
        )


class ScoreOut(BaseModel):
    recognized_text: str
    pronunciation_score: float
    accuracy_score: float
    fluency_score: float
    completeness_score: float
    word_scores: list[WordScoreOut]
    provider: str
    analysis_id: UUID | None = Field(
        description="The kept pronunciation analysis; null when the learner keeps no history"
    )

    @classmethod
    def of(cls, result: ScoringResult, analysis_id: UUID | None = None) -> "ScoreOut":
        return cls(
            recognized_text=result.recognized_text,
            pronunciation_score=result.pronunciation_score,
            accuracy_score=result.accuracy_score,
            fluency_score=result.fluency_score,
            completeness_score=result.completeness_score,
            word_scores=[WordScoreOut.of(w) for w in result.word_scores],
            provider=result.provider,
            analysis_id=analysis_id,
        )


@router.post("/score", response_model=ScoreOut, responses=error_responses(422))
async def score_pronunciation(
    claims: CurrentUser,
    services: Services,
    audio: Annotated[UploadFile, File(description="WAV, MP3, M4A or WebM/Ogg Opus; 10 MB, 30 s")],
    reference_text: Annotated[
        str, Form(max_length=2000, examples=["I would like a cup of coffee, please."])
    ],
    language: Annotated[str, Form(max_length=35, examples=["en-US"])] = "en-US",
) -> ScoreOut:
    """Scores how well the recording pronounces `reference_text`, word by word (0-100).
    The recording is processed in memory and never stored; its scores are kept in the
    learner's pronunciation history unless the learner declined it (/learning/settings)."""
    cmd = scoring.ScorePronunciation(await audio.read(), reference_text, language)
    scored = await scoring.score_pronunciation(cmd, services.audio_decoder, services.speech_scorer)
    analysis = await record_pronunciation(
        claims.user_id, AnalysisSource.SPEECH_SCORE, scored, services.unit_of_work()
    )
    return ScoreOut.of(scored.result, analysis.id if analysis else None)


class TranscriptOut(BaseModel):
    text: str
    language: str | None
    duration_seconds: float
    confidence: float | None
    provider: str


@router.post("/transcribe", response_model=TranscriptOut, responses=error_responses(422))
async def transcribe(
    claims: CurrentUser,
    services: Services,
    audio: Annotated[UploadFile, File(description="WAV, MP3, M4A or WebM/Ogg Opus; 10 MB, 30 s")],
    language: Annotated[str | None, Form(max_length=35)] = None,
    task: Annotated[RecognitionTask, Form()] = RecognitionTask.TRANSCRIBE,
) -> TranscriptOut:
    """What was said. `language` (ISO 639-1, e.g. "en") is a hint; without it the language
    is detected. `task=translate` gives the English text of speech in another language."""
    transcript = await transcribe_recording(
        await audio.read(), language, task, services.audio_decoder, services.voice.recognizer
    )
    return TranscriptOut(**transcript.__dict__)


class SynthesisIn(BaseModel):
    text: str = Field(max_length=MAX_SYNTHESIS_CHARS, pattern=NOT_BLANK)
    voice: str | None = Field(default=None, max_length=100)
    speed: StrictFloat = Field(default=1.0, ge=MIN_SPEED, le=MAX_SPEED)


@router.post(
    "/synthesize",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}, "audio/mpeg": {}}}},
)
async def synthesize(body: SynthesisIn, claims: CurrentUser, services: Services) -> Response:
    """The text spoken by the voice, as one audio file."""
    synthesizer = services.voice.synthesizer
    text = await check_synthesis(synthesizer, body.text, body.voice, body.speed)
    speech = await synthesizer.synthesize(text, voice=body.voice, speed=body.speed)
    return Response(
        speech.audio, media_type=speech.media_type, headers={"X-Provider": synthesizer.provider}
    )


@router.post(
    "/synthesize/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {STREAM_MEDIA_TYPE: {}}}},
)
async def synthesize_stream(
    body: SynthesisIn, claims: CurrentUser, services: Services
) -> StreamingResponse:
    """The text spoken by the voice as MP3, sent chunk by chunk while it is produced, so that
    playback starts after the first sentence. Errors before the first chunk keep their
    status; a failure later ends the stream early."""
    synthesizer = services.voice.synthesizer
    text = await check_synthesis(synthesizer, body.text, body.voice, body.speed)
    chunks = synthesizer.stream(text, voice=body.voice, speed=body.speed)
    first = await anext(chunks)

    async def rest() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    return StreamingResponse(
        rest(), media_type=STREAM_MEDIA_TYPE, headers={"X-Provider": synthesizer.provider}
    )


class VoiceOut(BaseModel):
    id: str
    name: str
    language: str
    gender: str | None


class VoiceList(BaseModel):
    voices: list[VoiceOut]
    provider: str


@router.get("/voices", response_model=VoiceList)
async def list_voices(claims: CurrentUser, services: Services) -> VoiceList:
    """The voices the configured synthesizer speaks, for `voice` in /speech/synthesize."""
    synthesizer = services.voice.synthesizer
    found = await synthesizer.voices()
    return VoiceList(voices=[VoiceOut(**v.__dict__) for v in found], provider=synthesizer.provider)
