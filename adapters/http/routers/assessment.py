"""001's CEFR assessments: a spoken answer, a written sentence, and the prompts to answer."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field

from adapters.http.corrections import CorrectionOut
from adapters.http.errors import error_responses
from adapters.http.inputs import StrictBool
from adapters.http.security import CurrentUser
from adapters.http.services import HttpServices, Services
from domain.assessment.prompts import MAX_PROMPTS, SpeakingPrompt, find_prompt, prompts_for
from domain.assessment.sentence import MAX_SENTENCE_CHARS, AssessSentence, SentenceAssessment
from domain.assessment.speaking import AssessSpeaking, SkillResult, SpeakingAssessment
from domain.learning.history import SaveAssessment, english_dialect, save_assessment
from ports.cefr import CefrLevel
from ports.identity import TokenClaims
from ports.learning import AssessmentKind

router = APIRouter(tags=["assessment"])

SAVE = "Keep the result in the learner's assessments (/learning/assessments)"
SAVED = "The kept assessment; null unless `save` was asked"


class PromptOut(BaseModel):
    id: str
    level: CefrLevel
    topic: str
    text: str
    seconds: int

    @classmethod
    def of(cls, p: SpeakingPrompt) -> "PromptOut":
        return cls(id=p.id, level=p.level, topic=p.topic, text=p.text, seconds=p.seconds)


class PromptList(BaseModel):
    prompts: list[PromptOut]


class SentenceIn(BaseModel):
    text: str = Field(max_length=MAX_SENTENCE_CHARS, pattern="[A-Za-z]", description="A sentence")
    save: StrictBool = Field(default=False, description=SAVE)


class VocabularyOut(BaseModel):
    level: CefrLevel
    word_count: int
    level_counts: dict[CefrLevel, int]
    share_above_a2: float
    advanced_words: list[str]


class SentenceOut(BaseModel):
    text: str
    corrected_text: str
    corrections: list[CorrectionOut]
    vocabulary: VocabularyOut
    level: CefrLevel
    reasons: list[str]
    feedback: list[str]
    assessment_id: UUID | None = Field(default=None, description=SAVED)

    @classmethod
    def of(cls, a: SentenceAssessment) -> "SentenceOut":
        return cls(
            text=a.text,
            corrected_text=a.corrected_text,
            corrections=[CorrectionOut.of(c) for c in a.corrections],
            vocabulary=VocabularyOut(
                level=a.vocabulary_level,
                word_count=a.vocabulary.word_count,
                level_counts=dict(a.vocabulary.level_counts),
                share_above_a2=round(a.vocabulary.share_above_a2, 3),
                advanced_words=list(a.vocabulary.advanced_words),
            ),
            level=a.level,
            reasons=a.reasons,
            feedback=a.feedback,
        )


class SkillOut(BaseModel):
    score: float
    level: CefrLevel
    measurements: dict[str, float]
    feedback: list[str]

    @classmethod
    def of(cls, s: SkillResult) -> "SkillOut":
        return cls(score=s.score, level=s.level, measurements=s.measurements, feedback=s.feedback)


class SpeakingOut(BaseModel):
    prompt_id: str | None
    transcript: str
    duration_seconds: float
    word_count: int
    level: CefrLevel
    score: float
    skills: dict[str, SkillOut]
    corrections: list[CorrectionOut]
    reasons: list[str]
    assessment_id: UUID | None = Field(default=None, description=SAVED)

    @classmethod
    def of(cls, a: SpeakingAssessment, prompt_id: str | None) -> "SpeakingOut":
        return cls(
            prompt_id=prompt_id,
            transcript=a.transcript,
            duration_seconds=a.duration_seconds,
            word_count=a.word_count,
            level=a.level,
            score=a.score,
            skills={name: SkillOut.of(s) for name, s in a.skills.items()},
            corrections=[CorrectionOut.of(c) for c in a.corrections],
            reasons=a.reasons,
        )


@router.get("/speaking-prompts", response_model=PromptList)
async def list_speaking_prompts(
    claims: CurrentUser,
    services: Services,
    level: CefrLevel | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PROMPTS)] = 10,
) -> PromptList:
    """Prompts to answer in a speaking assessment, of one level or all, in catalog order."""
    return PromptList(
        prompts=[PromptOut.of(p) for p in prompts_for(services.speaking_prompts, level, limit)]
    )


@router.post("/assessment/sentence", response_model=SentenceOut)
async def assess_sentence(claims: CurrentUser, services: Services, body: SentenceIn) -> SentenceOut:
    """Grammar corrections, the corrected text, its vocabulary level and an estimated level."""
    assess = AssessSentence(services.grammar_checker, services.vocabulary)
    dialect = await english_dialect(
        claims.user_id, services.default_dialect, services.unit_of_work()
    )
    out = SentenceOut.of(await assess(body.text, dialect))
    if body.save:
        out.assessment_id = await _save(claims, services, AssessmentKind.SENTENCE, out, None)
    return out


@router.post(
    "/assessment/speaking", response_model=SpeakingOut, responses=error_responses(404, 422)
)
async def assess_speaking(
    claims: CurrentUser,
    services: Services,
    audio: Annotated[UploadFile, File(description="WAV, MP3, M4A or WebM/Ogg Opus; 10 MB, 30 s")],
    prompt_id: Annotated[str | None, Form(max_length=64)] = None,
    duration: Annotated[float | None, Form(gt=0, le=300, description="Seconds asked for")] = None,
    save: Annotated[bool, Form(description=SAVE)] = False,
) -> SpeakingOut:
    """A CEFR level and five skills (pronunciation, grammar, vocabulary, fluency, coherence)
    measured on the recording. It is processed in memory and never stored."""
    target = duration
    if prompt_id is not None:
        prompt = find_prompt(services.speaking_prompts, prompt_id)
        target = target or prompt.seconds
    assess = AssessSpeaking(
        decoder=services.audio_decoder,
        recognizer=services.voice.recognizer,
        grammar=services.grammar_checker,
        vocabulary=services.vocabulary,
        scorer=services.speech_scorer,
    )
    dialect = await english_dialect(
        claims.user_id, services.default_dialect, services.unit_of_work()
    )
    result = await assess(await audio.read(), dialect, target_seconds=target)
    out = SpeakingOut.of(result, prompt_id)
    if save:
        kind = AssessmentKind.SPEAKING
        out.assessment_id = await _save(claims, services, kind, out, result.score)
    return out


async def _save(
    claims: TokenClaims,
    services: HttpServices,
    kind: AssessmentKind,
    out: SentenceOut | SpeakingOut,
    score: float | None,
) -> UUID:
    details = out.model_dump(mode="json", exclude={"assessment_id", "level"})
    cmd = SaveAssessment(kind, out.level, score, details)
    return (await save_assessment(claims.user_id, cmd, services.unit_of_work())).id
