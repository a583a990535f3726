"""001's learning goals and plans: a catalogue of goals, and plans built from a level, goals
and a duration (kept for a signed-in learner)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from adapters.http.errors import error_responses
from adapters.http.inputs import PageNumber, PageSize, StrictInt
from adapters.http.routers.tutoring import Pagination, pagination_of
from adapters.http.security import CurrentUser, OptionalUser
from adapters.http.services import Services
from domain.learning import plans
from domain.learning.goals import GOALS, MAX_GOALS, MAX_WEEKS, Goal
from ports.cefr import CefrLevel
from ports.learning import ActivityKind, LearningPlan, PlanActivity, PlanWeek

router = APIRouter(prefix="/learning", tags=["learning plans"])


class GoalOut(BaseModel):
    id: str
    title: str
    description: str

    @classmethod
    def of(cls, g: Goal) -> "GoalOut":
        return cls(id=g.id, title=g.title, description=g.description)


class GoalList(BaseModel):
    goals: list[GoalOut]


class PlanIn(BaseModel):
    level: CefrLevel
    goals: list[Annotated[str, Field(max_length=40)]] = Field(
        min_length=1, max_length=MAX_GOALS, description="Goal ids from GET /learning/goals"
    )
    weeks: StrictInt = Field(ge=1, le=MAX_WEEKS)


class ActivityOut(BaseModel):
    kind: ActivityKind
    title: str
    minutes: int
    times_per_week: int

    @classmethod
    def of(cls, a: PlanActivity) -> "ActivityOut":
        return cls(kind=a.kind, title=a.title, minutes=a.minutes, times_per_week=a.times_per_week)


class WeekOut(BaseModel):
    week: int
    focus: str
    activities: list[ActivityOut]

    @classmethod
    def of(cls, w: PlanWeek) -> "WeekOut":
        return cls(week=w.week, focus=w.focus, activities=[ActivityOut.of(a) for a in w.activities])


class PlanOut(BaseModel):
    id: UUID | None = Field(description="null for a plan made without signing in (not kept)")
    level: CefrLevel
    goals: list[str]
    weeks: int
    summary: str
    schedule: list[WeekOut]
    written_by: str = Field(description='"rules", or the language model that phrased it')
    created_at: datetime

    @classmethod
    def of(cls, p: LearningPlan) -> "PlanOut":
        return cls(
            id=p.id if p.user_id is not None else None,
            level=p.level,
            goals=p.goals,
            weeks=p.weeks,
            summary=p.summary,
            schedule=[WeekOut.of(w) for w in p.schedule],
            written_by=p.written_by,
            created_at=p.created_at,
        )


class PlanList(BaseModel):
    plans: list[PlanOut]
    pagination: Pagination


@router.get("/goals", response_model=GoalList)
async def list_goals() -> GoalList:
    """The goals a plan can be built for."""
    return GoalList(goals=[GoalOut.of(g) for g in GOALS])


@router.post("/plan", response_model=PlanOut)
async def make_plan(body: PlanIn, claims: OptionalUser, services: Services) -> PlanOut:
    """A week-by-week plan for the level, goals and duration, built from Parla's activities
    by rules and phrased by the language model when one is configured. Authentication is
    optional: a signed-in learner's plan is kept (GET /learning/plans)."""
    cmd = plans.MakePlan(body.level, body.goals, body.weeks)
    user_id = claims.user_id if claims is not None else None
    made = await plans.make_plan(user_id, cmd, services.plan_model, services.unit_of_work())
    return PlanOut.of(made)


@router.get("/plan/{plan_id}", response_model=PlanOut, responses=error_responses(403))
async def get_plan(plan_id: UUID, claims: CurrentUser, services: Services) -> PlanOut:
    """One of the learner's learning plans, week by week."""
    return PlanOut.of(await plans.get_plan(claims.user_id, plan_id, services.unit_of_work()))


@router.get("/plans", response_model=PlanList)
async def list_plans(
    claims: CurrentUser, services: Services, page: PageNumber = 1, limit: PageSize = 20
) -> PlanList:
    """The learner's kept plans, newest first."""
    found = await plans.list_plans(claims.user_id, page, limit, services.unit_of_work())
    return PlanList(plans=[PlanOut.of(p) for p in found.items], pagination=pagination_of(found))
