"""000's curriculum: its six curriculum stages, their exercises and topics. One set of routes
serves all eighteen exercises, by curriculum stage and exercise number or by 000's exercise
name (`/repeat-after-me/...`), which resolves to the same exercise."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from starlette.convertors import Convertor, register_url_convertor

from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.curriculum.content import (
    EXERCISE_KINDS,
    CurriculumStage,
    Evaluation,
    Exercise,
    Topic,
)
from ports.cefr import CefrLevel

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
