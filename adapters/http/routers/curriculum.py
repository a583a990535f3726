"""000's curriculum: its six curriculum stages, their exercises and topics. One set of routes
serves all eighteen exercises, by curriculum stage and exercise number or by 000's exercise
name (`/repeat-after-me/...`), which resolves to the same exercise."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Header, Path, UploadFile
from starlette.convertors import Convertor, register_url_convertor

from adapters.http.curriculum_schemas import (
    AttemptOut,
    ComprehensiveOut,
    CurrentTopicIn,
    CurrentTopicOut,
    EvaluationOut,
    ExerciseOut,
    InitializeIn,
    LearnerIn,
    NextUnlockOut,
    ProgressOut,
    StageList,
    StageOut,
    StageProgressOut,
    TimeZoneIn,
    TopicOut,
    UnlocksOut,
)
from adapters.http.errors import error_responses
from adapters.http.security import CurrentUser
from adapters.http.services import HttpServices, Services
from domain.assessment.sentence import MAX_SENTENCE_CHARS
from domain.curriculum import progress as learner_progress
from domain.curriculum.content import EXERCISE_KINDS
from domain.curriculum.evaluation import Answer, AttemptEvaluators
from domain.curriculum.progress import (
    MAX_IDEMPOTENCY_KEY_CHARS,
    AttemptTopic,
    InitializeProgress,
    TopicAttemptResult,
)
from domain.curriculum.rules import MAX_ATTEMPT_SECONDS
from domain.errors import InvalidInput
from domain.learning.history import english_dialect
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


@router.post("/progress/initialize-progress", response_model=ProgressOut)
async def initialize_progress(
    claims: CurrentUser, services: Services, body: InitializeIn
) -> ProgressOut:
    """Starts the caller at A1's first exercise, first topic; progress already started is
    returned as it is."""
    now = datetime.now(UTC)
    cmd = InitializeProgress(time_zone=body.time_zone, urdu_enabled=body.urdu_enabled)
    await learner_progress.initialize_progress(claims.user_id, cmd, now, services.unit_of_work())
    view = await learner_progress.get_progress(
        claims.user_id, claims.role, claims.user_id, now, services.unit_of_work()
    )
    return ProgressOut.of(view)


@router.get(
    "/progress/user-progress/{user_id}", response_model=ProgressOut, responses=error_responses(403)
)
async def get_user_progress(claims: CurrentUser, services: Services, user_id: UUID) -> ProgressOut:
    """A learner's progress, streak (on their calendar, as of now), achievements and the
    last four weeks of daily activity: the learner's own (403 for another learner's, but
    for an admin), 404 before they started."""
    view = await learner_progress.get_progress(
        claims.user_id, claims.role, user_id, datetime.now(UTC), services.unit_of_work()
    )
    return ProgressOut.of(view)


@router.put("/progress/time-zone", response_model=ProgressOut)
async def set_time_zone(claims: CurrentUser, services: Services, body: TimeZoneIn) -> ProgressOut:
    """Changes the caller's calendar from now on (days already counted keep their date);
    starts their progress in that zone if it has not started."""
    now = datetime.now(UTC)
    await learner_progress.change_time_zone(
        claims.user_id, body.time_zone, now, services.unit_of_work()
    )
    view = await learner_progress.get_progress(
        claims.user_id, claims.role, claims.user_id, now, services.unit_of_work()
    )
    return ProgressOut.of(view)


def _readable(claims: TokenClaims, user_id: UUID | None) -> UUID:
    """The learner asked about: the caller unless the body names another."""
    return claims.user_id if user_id is None else user_id


@router.post(
    "/progress/check-unlocks/{user_id}", response_model=UnlocksOut, responses=error_responses(403)
)
async def check_unlocks(claims: CurrentUser, services: Services, user_id: UUID) -> UnlocksOut:
    """What the learner has unlocked and what opens next (null once everything is open).
    Unlocks happen when an attempt is recorded: this writes nothing."""
    view = await learner_progress.check_unlocks(
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


@router.post(
    "/progress/get-current-topic",
    response_model=CurrentTopicOut,
    responses=error_responses(403, 404, 409),
)
async def get_current_topic(
    claims: CurrentUser, services: Services, body: CurrentTopicIn
) -> CurrentTopicOut:
    """The topic to take next in an exercise: the first not completed, then the weakest.
    409 for an exercise still locked, 404 before the learner started."""
    current = await learner_progress.get_current_topic(
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


@router.post(
    "/progress/comprehensive-progress",
    response_model=ComprehensiveOut,
    responses=error_responses(403, 404),
)
async def get_comprehensive_progress(
    claims: CurrentUser, services: Services, body: LearnerIn
) -> ComprehensiveOut:
    """user-progress with each curriculum stage's progress, what opens next, the last
    scores and their trend (improving, steady or declining by 5 points between the last
    five and the five before; unknown before ten attempts)."""
    full = await learner_progress.get_comprehensive_progress(
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
        dialect=await english_dialect(
            claims.user_id, services.default_dialect, services.unit_of_work()
        ),
    )
    now = datetime.now(UTC)
    result: TopicAttemptResult = await learner_progress.attempt_topic(
        claims.user_id, cmd, services.curriculum, evaluators, now, services.unit_of_work()
    )
    # Read after the attempt committed: the answer shows the progress with it.
    view = await learner_progress.get_progress(
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
    responses=error_responses(409, 422),
)
async def attempt_topic(
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
    responses=error_responses(409, 422),
)
async def attempt_topic_by_exercise_name(
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
    responses=error_responses(404, 409, 422),
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
