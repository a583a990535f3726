"""000's curriculum: its six curriculum stages, their exercises and topics. One set of routes
serves all eighteen exercises, by curriculum stage and exercise number or by 000's exercise
name (`/repeat-after-me/...`), which resolves to the same exercise."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Header, Path, UploadFile
from pydantic import BaseModel, Field
from starlette.convertors import Convertor, register_url_convertor

from adapters.http.routers.assessment import SentenceOut, SpeakingOut
from adapters.http.routers.speech import ScoreOut
from adapters.http.security import CurrentUser
from adapters.http.services import HttpServices, Services
from domain.assessment.sentence import MAX_SENTENCE_CHARS
from domain.curriculum.content import (
    EXERCISE_KINDS,
    EXERCISES_PER_STAGE,
    STAGE_COUNT,
    CurriculumStage,
    Evaluation,
    Exercise,
    Topic,
)
from domain.curriculum.evaluation import Answer, AttemptEvaluation, AttemptEvaluators, JudgedBy
from domain.curriculum.progress import (
    MAX_IDEMPOTENCY_KEY_CHARS,
    AttemptTopic,
    InitializeProgress,
    ProgressView,
    TopicAttemptResult,
    attempt_topic,
    change_time_zone,
    check_unlocks,
    get_comprehensive_progress,
    get_current_topic,
    get_progress,
    initialize_progress,
)
from domain.curriculum.rules import (
    DEFAULT_TIME_ZONE,
    MATURITY_SCORE,
    MATURITY_WINDOW,
    MAX_ATTEMPT_SECONDS,
    FluencyTrend,
    NextUnlock,
)
from domain.errors import InvalidInput
from ports.cefr import CefrLevel
from ports.identity import TokenClaims

router = APIRouter(tags=["curriculum"])


class ExerciseName(Convertor[str]):
    """Matches 000's eighteen exercise names only, so `/{exercise}/...` takes no other path."""

    regex = "|".join(kind.slug for kind in EXERCISE_KINDS)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("exercise_name", ExerciseName())

StageNumber = Annotated[int, Path(description="Curriculum stage, 1 (A1) to 6 (C2)")]
ExerciseNumber = Annotated[int, Path(description="Exercise within its curriculum stage, 1 to 3")]


class TopicOut(BaseModel):
    number: int
    title: str
    prompt: str
    text: str | None
    urdu_hint: str | None

    @classmethod
    def of(cls, t: Topic) -> "TopicOut":
        return cls(
            number=t.number, title=t.title, prompt=t.prompt, text=t.text, urdu_hint=t.urdu_hint
        )


class ExerciseSummary(BaseModel):
    stage: int
    number: int
    slug: str
    title: str
    description: str
    evaluation: Evaluation
    accepts_text: bool
    topic_count: int

    @classmethod
    def fields_of(cls, e: Exercise) -> dict:
        return {
            "stage": e.kind.stage,
            "number": e.kind.number,
            "slug": e.slug,
            "title": e.title,
            "description": e.description,
            "evaluation": e.kind.evaluation,
            "accepts_text": e.kind.accepts_text,
            "topic_count": len(e.topics),
        }

    @classmethod
    def of(cls, e: Exercise) -> "ExerciseSummary":
        return cls(**cls.fields_of(e))


class ExerciseOut(ExerciseSummary):
    topics: list[TopicOut]

    @classmethod
    def of(cls, e: Exercise) -> "ExerciseOut":
        return cls(**cls.fields_of(e), topics=[TopicOut.of(t) for t in e.topics])


class StageOut(BaseModel):
    number: int
    level: CefrLevel
    title: str
    description: str
    exercises: list[ExerciseSummary]

    @classmethod
    def of(cls, s: CurriculumStage) -> "StageOut":
        return cls(
            number=s.number,
            level=s.level,
            title=s.title,
            description=s.description,
            exercises=[ExerciseSummary.of(e) for e in s.exercises],
        )


class StageList(BaseModel):
    stages: list[StageOut]


@router.get("/curriculum/stages", response_model=StageList)
async def list_stages(claims: CurrentUser, services: Services) -> StageList:
    """The six curriculum stages in order, each with its three exercises."""
    return StageList(stages=[StageOut.of(s) for s in services.curriculum.stages])


@router.get("/curriculum/stages/{stage}", response_model=StageOut)
async def get_stage(claims: CurrentUser, services: Services, stage: StageNumber) -> StageOut:
    """One curriculum stage; 404 for a number outside 1 to 6."""
    return StageOut.of(services.curriculum.stage(stage))


@router.get("/curriculum/stages/{stage}/exercises/{exercise}", response_model=ExerciseOut)
async def get_exercise(
    claims: CurrentUser, services: Services, stage: StageNumber, exercise: ExerciseNumber
) -> ExerciseOut:
    """One exercise with its topics in order; 404 for an exercise the curriculum lacks."""
    return ExerciseOut.of(services.curriculum.exercise(stage, exercise))


@router.get("/{exercise:exercise_name}/topics", response_model=ExerciseOut)
async def get_exercise_by_name(
    claims: CurrentUser,
    services: Services,
    exercise: Annotated[str, Path(description="000's exercise name, e.g. repeat-after-me")],
) -> ExerciseOut:
    """The same as /curriculum/stages/{stage}/exercises/{exercise}, by 000's exercise name."""
    return ExerciseOut.of(services.curriculum.exercise_by_slug(exercise))


# --- progress -------------------------------------------------------------------------------


class InitializeIn(BaseModel):
    time_zone: str = Field(
        DEFAULT_TIME_ZONE,
        max_length=64,
        description="IANA time zone whose days count streaks and daily activity",
    )
    urdu_enabled: bool = True


class ExerciseProgressOut(BaseModel):
    stage: int
    exercise: int
    current_topic: int
    attempts: int
    average_score: float
    best_score: float
    last_scores: list[float]
    topics_completed: int
    matured: bool
    started_at: datetime
    matured_at: datetime | None


class DayOut(BaseModel):
    day: date
    attempts: int
    average_score: float | None
    time_seconds: int
    topics_completed: int
    game_sessions: int
    tutor_turns: int


class AchievementOut(BaseModel):
    code: str
    earned_at: datetime


class ProgressOut(BaseModel):
    user_id: UUID
    time_zone: str
    urdu_enabled: bool
    current_stage: int
    current_exercise: int
    current_topic: int
    unlocked_stages: list[int]
    unlocked_exercises: list[tuple[int, int]]
    overall_percentage: float
    time_seconds: int
    streak_days: int
    longest_streak: int
    first_activity_at: datetime | None
    last_activity_at: datetime | None
    curriculum_completed_at: datetime | None
    exercises: list[ExerciseProgressOut]
    achievements: list[AchievementOut]
    recent_days: list[DayOut]

    @classmethod
    def of(cls, view: ProgressView) -> "ProgressOut":
        p = view.progress
        return cls(
            user_id=p.user_id,
            time_zone=p.time_zone,
            urdu_enabled=p.urdu_enabled,
            current_stage=p.current_stage,
            current_exercise=p.current_exercise,
            current_topic=p.current_topic,
            unlocked_stages=p.unlocked_stages,
            unlocked_exercises=p.unlocked,
            overall_percentage=p.overall_percentage,
            time_seconds=p.time_seconds,
            streak_days=view.streak.current_days,
            longest_streak=view.streak.longest_days,
            first_activity_at=p.first_activity_at,
            last_activity_at=p.last_activity_at,
            curriculum_completed_at=p.curriculum_completed_at,
            exercises=[
                ExerciseProgressOut(
                    stage=e.stage,
                    exercise=e.exercise,
                    current_topic=e.current_topic,
                    attempts=e.attempts,
                    average_score=round(e.average_score, 1),
                    best_score=e.best_score,
                    last_scores=e.last_scores,
                    topics_completed=sum(1 for t in e.topics.values() if t.completed),
                    matured=e.matured,
                    started_at=e.started_at,
                    matured_at=e.matured_at,
                )
                for _, e in sorted(p.exercises.items())
            ],
            achievements=[
                AchievementOut(code=a.code, earned_at=a.earned_at) for a in view.achievements
            ],
            recent_days=[
                DayOut(
                    day=d.day,
                    attempts=d.attempts,
                    average_score=d.average_score,
                    time_seconds=d.time_seconds,
                    topics_completed=d.topics_completed,
                    game_sessions=d.game_sessions,
                    tutor_turns=d.tutor_turns,
                )
                for d in view.recent_days
            ],
        )


@router.post("/progress/initialize-progress", response_model=ProgressOut)
async def initialize(claims: CurrentUser, services: Services, body: InitializeIn) -> ProgressOut:
    """Starts the caller at A1's first exercise, first topic; progress already started is
    returned as it is."""
    now = datetime.now(UTC)
    cmd = InitializeProgress(time_zone=body.time_zone, urdu_enabled=body.urdu_enabled)
    await initialize_progress(claims.user_id, cmd, now, services.unit_of_work())
    view = await get_progress(
        claims.user_id, claims.role, claims.user_id, now, services.unit_of_work()
    )
    return ProgressOut.of(view)


@router.get("/progress/user-progress/{user_id}", response_model=ProgressOut)
async def user_progress(claims: CurrentUser, services: Services, user_id: UUID) -> ProgressOut:
    """A learner's progress, streak (on their calendar, as of now), achievements and the
    last four weeks of daily activity: the learner's own (403 for another learner's, but
    for an admin), 404 before they started."""
    view = await get_progress(
        claims.user_id, claims.role, user_id, datetime.now(UTC), services.unit_of_work()
    )
    return ProgressOut.of(view)


class TimeZoneIn(BaseModel):
    time_zone: str = Field(
        max_length=64, description="IANA time zone whose days count streaks and daily activity"
    )


@router.put("/progress/time-zone", response_model=ProgressOut)
async def set_time_zone(claims: CurrentUser, services: Services, body: TimeZoneIn) -> ProgressOut:
    """Changes the caller's calendar from now on (days already counted keep their date);
    starts their progress in that zone if it has not started."""
    now = datetime.now(UTC)
    await change_time_zone(claims.user_id, body.time_zone, now, services.unit_of_work())
    view = await get_progress(
        claims.user_id, claims.role, claims.user_id, now, services.unit_of_work()
    )
    return ProgressOut.of(view)


def _readable(claims: TokenClaims, user_id: UUID | None) -> UUID:
    """The learner asked about: the caller unless the body names another."""
    return claims.user_id if user_id is None else user_id


class NextUnlockOut(BaseModel):
    stage: int
    exercise: int
    after_stage: int
    after_exercise: int
    topics_completed: int
    topic_count: int
    recent_average: float | None = Field(
        description=f"The average of the last {MATURITY_WINDOW} scores at the exercise before, "
        f"which opens this one at {MATURITY_SCORE:.0f} once all its topics are completed"
    )

    @classmethod
    def of(cls, n: NextUnlock | None) -> "NextUnlockOut | None":
        if n is None:
            return None
        return cls(
            stage=n.exercise[0],
            exercise=n.exercise[1],
            after_stage=n.after[0],
            after_exercise=n.after[1],
            topics_completed=n.topics_completed,
            topic_count=n.topic_count,
            recent_average=n.recent_average,
        )


class UnlocksOut(BaseModel):
    user_id: UUID
    unlocked_stages: list[int]
    unlocked_exercises: list[tuple[int, int]]
    next: NextUnlockOut | None


@router.post("/progress/check-unlocks/{user_id}", response_model=UnlocksOut)
async def unlocks(claims: CurrentUser, services: Services, user_id: UUID) -> UnlocksOut:
    """What the learner has unlocked and what opens next (null once everything is open).
    Unlocks happen when an attempt is recorded: this writes nothing."""
    view = await check_unlocks(
        claims.user_id,
        claims.role,
        user_id,
        services.curriculum.topic_counts,
        services.unit_of_work(),
    )
    return UnlocksOut(
        user_id=user_id,
        unlocked_stages=view.progress.unlocked_stages,
        unlocked_exercises=view.progress.unlocked,
        next=NextUnlockOut.of(view.next),
    )


class CurrentTopicIn(BaseModel):
    user_id: UUID | None = Field(None, description="The learner; the caller when left out")
    stage: int = Field(ge=1, le=STAGE_COUNT)
    exercise: int = Field(ge=1, le=EXERCISES_PER_STAGE)


class CurrentTopicOut(BaseModel):
    stage: int
    exercise: int
    topic: TopicOut
    attempts: int
    topics_completed: int
    matured: bool


@router.post("/progress/get-current-topic", response_model=CurrentTopicOut)
async def current_topic(
    claims: CurrentUser, services: Services, body: CurrentTopicIn
) -> CurrentTopicOut:
    """The topic to take next in an exercise: the first not completed, then the weakest.
    409 for an exercise still locked, 404 before the learner started."""
    current = await get_current_topic(
        claims.user_id,
        claims.role,
        _readable(claims, body.user_id),
        (body.stage, body.exercise),
        services.curriculum,
        services.unit_of_work(),
    )
    e = current.exercise
    return CurrentTopicOut(
        stage=e.stage,
        exercise=e.exercise,
        topic=TopicOut.of(current.topic),
        attempts=e.attempts,
        topics_completed=sum(1 for t in e.topics.values() if t.completed),
        matured=e.matured,
    )


class LearnerIn(BaseModel):
    user_id: UUID | None = Field(None, description="The learner; the caller when left out")


class StageProgressOut(BaseModel):
    stage: int
    attempts: int
    average_score: float
    started_at: datetime
    completed_at: datetime | None


class ComprehensiveOut(ProgressOut):
    stages: list[StageProgressOut]
    next_unlock: NextUnlockOut | None
    recent_scores: list[float]
    fluency_trend: FluencyTrend


@router.post("/progress/comprehensive-progress", response_model=ComprehensiveOut)
async def comprehensive_progress(
    claims: CurrentUser, services: Services, body: LearnerIn
) -> ComprehensiveOut:
    """user-progress with each curriculum stage's progress, what opens next, the last
    scores and their trend (improving, steady or declining by 5 points between the last
    five and the five before; unknown before ten attempts)."""
    full = await get_comprehensive_progress(
        claims.user_id,
        claims.role,
        _readable(claims, body.user_id),
        datetime.now(UTC),
        services.curriculum.topic_counts,
        services.unit_of_work(),
    )
    stages = full.view.progress.stages
    return ComprehensiveOut(
        **ProgressOut.of(full.view).model_dump(),
        stages=[
            StageProgressOut(
                stage=s.stage,
                attempts=s.attempts,
                average_score=round(s.average_score, 1),
                started_at=s.started_at,
                completed_at=s.completed_at,
            )
            for _, s in sorted(stages.items())
        ],
        next_unlock=NextUnlockOut.of(full.next),
        recent_scores=full.recent_scores,
        fluency_trend=full.fluency_trend,
    )


# --- attempts -------------------------------------------------------------------------------


class EvaluationOut(BaseModel):
    method: Evaluation
    score: float
    transcript: str
    relevance: float | None = Field(
        description="0-1: how far an answer is on the topic (the language model's judgement "
        "is 0 or 1; the rules' the share of the topic's words the answer reused)"
    )
    relevance_judged_by: JudgedBy | None = Field(
        description="model when the language model judged the answer's relevance, rules when "
        "no model is configured or its answer could not be used"
    )
    relevance_reason: str | None = Field(description="The language model's reason, if it judged")
    pronunciation: ScoreOut | None
    speaking: SpeakingOut | None
    sentence: SentenceOut | None

    @classmethod
    def of(cls, e: AttemptEvaluation) -> "EvaluationOut":
        return cls(
            method=e.method,
            score=e.score,
            transcript=e.transcript,
            relevance=None if e.relevance is None else e.relevance.share,
            relevance_judged_by=None if e.relevance is None else e.relevance.judged_by,
            relevance_reason=None if e.relevance is None else e.relevance.reason,
            pronunciation=None if e.pronunciation is None else ScoreOut.of(e.pronunciation),
            speaking=None if e.speaking is None else SpeakingOut.of(e.speaking, None),
            sentence=None if e.sentence is None else SentenceOut.of(e.sentence),
        )


class AttemptOut(BaseModel):
    attempt_id: UUID
    replayed: bool
    """True when an attempt under the same idempotency key was recorded before: nothing was
    evaluated or counted again, and `evaluation` is null."""
    stage: int
    exercise: int
    topic: int
    score: float
    evaluation: EvaluationOut | None
    topic_completed: bool
    exercise_matured: bool
    stage_completed: bool
    curriculum_completed: bool
    unlocked: list[tuple[int, int]]
    earned: list[str]
    progress: ProgressOut


@dataclass
class AttemptForm:
    """The answer, with what the learner says about how they gave it."""

    audio: Annotated[
        UploadFile | None, File(description="WAV, MP3, M4A or WebM/Ogg Opus; 10 MB, 30 s")
    ] = None
    text: Annotated[
        str | None,
        Form(max_length=MAX_SENTENCE_CHARS, description="A typed answer, where one is taken"),
    ] = None
    time_seconds: Annotated[
        int, Form(ge=0, le=MAX_ATTEMPT_SECONDS, description="Seconds spent on the attempt")
    ] = 0
    urdu_used: Annotated[bool, Form(description="Whether the Urdu hint was shown")] = False
    idempotency_key: Annotated[
        str | None, Form(min_length=1, max_length=MAX_IDEMPOTENCY_KEY_CHARS)
    ] = None
    idempotency_header: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_IDEMPOTENCY_KEY_CHARS,
            description="A retry under the same key is answered with what was recorded",
        ),
    ] = None

    def key(self) -> str | None:
        field, header = self.idempotency_key, self.idempotency_header
        if field is not None and header is not None and field != header:
            raise InvalidInput(
                "the Idempotency-Key header and the idempotency_key field differ",
                {"field": "idempotency_key"},
            )
        return field or header


Attempt = Annotated[AttemptForm, Depends()]
TopicNumber = Annotated[int, Path(description="Topic within its exercise, from 1")]


async def _attempt(
    claims: TokenClaims,
    services: HttpServices,
    stage: int,
    exercise: int,
    topic: int,
    form: AttemptForm,
) -> AttemptOut:
    key = form.key()
    answer = Answer(audio=None if form.audio is None else await form.audio.read(), text=form.text)
    cmd = AttemptTopic(stage, exercise, topic, answer, form.time_seconds, form.urdu_used, key)
    evaluators = AttemptEvaluators(
        decoder=services.audio_decoder,
        scorer=services.speech_scorer,
        recognizer=services.voice.recognizer,
        grammar=services.grammar_checker,
        vocabulary=services.vocabulary,
        relevance_model=services.relevance_model,
    )
    now = datetime.now(UTC)
    result: TopicAttemptResult = await attempt_topic(
        claims.user_id, cmd, services.curriculum, evaluators, now, services.unit_of_work()
    )
    # Read after the attempt committed: the answer shows the progress with it.
    view = await get_progress(
        claims.user_id, claims.role, claims.user_id, now, services.unit_of_work()
    )
    r = result.recorded
    return AttemptOut(
        attempt_id=r.id,
        replayed=result.replayed,
        stage=r.stage,
        exercise=r.exercise,
        topic=r.topic,
        score=r.score,
        evaluation=None if result.evaluation is None else EvaluationOut.of(result.evaluation),
        topic_completed=r.topic_completed,
        exercise_matured=r.exercise_matured,
        stage_completed=r.stage_completed,
        curriculum_completed=r.curriculum_completed,
        unlocked=r.unlocked,
        earned=r.earned,
        progress=ProgressOut.of(view),
    )


_ATTEMPT_DOC = """Evaluates the caller's attempt at a topic and records it: a recording (any format
/speech/score takes) or, where the exercise takes one, a typed answer. Exercises said aloud
are scored by the pronunciation scorer against the topic's text; answers by the speaking
assessment's rules, half level against the curriculum stage's and half relevance to the
topic's prompt (judged by the language model when one is configured, by the topic's words
otherwise or when the model fails; `relevance_judged_by` says which). The answer says what
the attempt changed (topic completed, exercise matured, curriculum stage completed, what
unlocked, achievements) with the progress after it. 404 for a topic the curriculum lacks,
409 for a locked exercise, 422 for audio without speech or an answer too short to rate;
nothing is written then. The recording is never stored."""


@router.post(
    "/curriculum/stages/{stage}/exercises/{exercise}/topics/{topic}/attempts",
    response_model=AttemptOut,
    description=_ATTEMPT_DOC,
)
async def attempt(
    claims: CurrentUser,
    services: Services,
    stage: StageNumber,
    exercise: ExerciseNumber,
    topic: TopicNumber,
    form: Attempt,
) -> AttemptOut:
    return await _attempt(claims, services, stage, exercise, topic, form)


@router.post(
    "/{exercise:exercise_name}/topics/{topic}/attempts",
    response_model=AttemptOut,
    description=_ATTEMPT_DOC + " The same as the route by curriculum stage and exercise.",
)
async def attempt_by_name(
    claims: CurrentUser,
    services: Services,
    exercise: Annotated[str, Path(description="000's exercise name, e.g. repeat-after-me")],
    topic: TopicNumber,
    form: Attempt,
) -> AttemptOut:
    kind = services.curriculum.exercise_by_slug(exercise).kind
    return await _attempt(claims, services, kind.stage, kind.number, topic, form)


@router.post(
    "/progress/record-topic-attempt",
    response_model=AttemptOut,
    description=_ATTEMPT_DOC + " The topic is named in the form; the score is never the client's.",
)
async def record_topic_attempt(
    claims: CurrentUser,
    services: Services,
    stage: Annotated[int, Form(description="Curriculum stage, 1 (A1) to 6 (C2)")],
    exercise: Annotated[int, Form(description="Exercise within its curriculum stage, 1 to 3")],
    topic: Annotated[int, Form(description="Topic within its exercise, from 1")],
    form: Attempt,
) -> AttemptOut:
    return await _attempt(claims, services, stage, exercise, topic, form)
