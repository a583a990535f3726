"""/speech/score: pronunciation scoring of a recorded sentence."""

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel

from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.pronunciation.scoring import ScorePronunciation, score_pronunciation
from ports.scoring import ScoringResult, WordError

router = APIRouter(prefix="/speech", tags=["speech"])


class PhonemeScoreOut(BaseModel):
    phoneme: str
    score: float


class WordScoreOut(BaseModel):
    word: str
    score: float
    error_type: WordError
    phonemes: list[PhonemeScoreOut]


class ScoreOut(BaseModel):
    recognized_text: str
    pronunciation_score: float
    accuracy_score: float
    fluency_score: float
    completeness_score: float
    word_scores: list[WordScoreOut]
    provider: str

    @classmethod
    def of(cls, result: ScoringResult) -> "ScoreOut":
        return cls(
            recognized_text=result.recognized_text,
            pronunciation_score=result.pronunciation_score,
            accuracy_score=result.accuracy_score,
            fluency_score=result.fluency_score,
            completeness_score=result.completeness_score,
            word_scores=[
                WordScoreOut(
                    word=w.word,
                    score=w.score,
                    error_type=w.error_type,
                    phonemes=[
                        PhonemeScoreOut(phoneme=p.phoneme, score=p.score) for p in w.phonemes
                    ],
                )
                for w in result.word_scores
            ],
            provider=result.provider,
        )


@router.post("/score", response_model=ScoreOut)
async def score(
    claims: CurrentUser,
    services: Services,
    audio: Annotated[UploadFile, File(description="WAV, MP3, M4A or WebM/Ogg Opus; 10 MB, 30 s")],
    reference_text: Annotated[str, Form(max_length=2000)],
    language: Annotated[str, Form(max_length=35)] = "en-US",
) -> ScoreOut:
    """Scores how well the recording pronounces `reference_text`, word by word (0-100).
    The recording is processed in memory and never stored."""
    cmd = ScorePronunciation(await audio.read(), reference_text, language)
    result = await score_pronunciation(cmd, services.audio_decoder, services.speech_scorer)
    return ScoreOut.of(result)
