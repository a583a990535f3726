"""Use cases of 001's learning plans: built by rules from the goals, phrased by a language
model when one is configured. A model's answer is checked against a JSON schema; one that
fails it (or a model that fails) leaves the rule-built wording, never an error."""

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.errors import InvalidInput, Unauthenticated
from domain.learning.goals import (
    GOALS_BY_ID,
    MAX_GOALS,
    MAX_WEEKS,
    Goal,
    rule_built_schedule,
    rule_built_summary,
)
from domain.learning.records import learner_page, require_own
from domain.model_answers import json_answer
from domain.paging import Page
from ports.cefr import CefrLevel
from ports.language_model import ChatMessage, LanguageModel, Role
from ports.learning import LearningPlan
from ports.unit_of_work import LearningUnitOfWork

RULES = "rules"
MAX_SUMMARY_CHARS = 600
MAX_FOCUS_CHARS = 200
# A summary and one line a week: 52 weeks of 200 characters fit in about 4,000 tokens.
MAX_PLAN_TOKENS = 4096


@dataclass(frozen=True)
class MakePlan:
    level: CefrLevel
    goals: list[str]
    weeks: int


def check_plan(cmd: MakePlan) -> list[Goal]:
    """The goals named, in order; InvalidInput for unknown, repeated or too many goals, or
    weeks out of 1 to MAX_WEEKS."""
    if not 1 <= cmd.weeks <= MAX_WEEKS:
        raise InvalidInput(f"weeks must be between 1 and {MAX_WEEKS}", {"field": "weeks"})
    if not 1 <= len(cmd.goals) <= MAX_GOALS or len(set(cmd.goals)) != len(cmd.goals):
        raise InvalidInput(f"goals must name 1 to {MAX_GOALS} different goals", {"field": "goals"})
    unknown = [goal for goal in cmd.goals if goal not in GOALS_BY_ID]
    if unknown:
        raise InvalidInput(
            "Unknown goals; GET /learning/goals lists them", {"field": "goals", "goals": unknown}
        )
    return [GOALS_BY_ID[goal] for goal in cmd.goals]


def phrasing_schema(weeks: int) -> dict[str, Any]:
    """What a model's phrasing must be: a summary, and each week's focus in order."""
    focus = {"type": "string", "minLength": 1, "maxLength": MAX_FOCUS_CHARS}
    return {
        "type": "object",
        "required": ["summary", "weeks"],
        "additionalProperties": False,
        "properties": {
            "summary": {"type": "string", "minLength": 1, "maxLength": MAX_SUMMARY_CHARS},
            "weeks": {"type": "array", "minItems": weeks, "maxItems": weeks, "items": focus},
        },
    }


def _prompt(plan: LearningPlan) -> list[ChatMessage]:
    outline = {
        "level": plan.level.value,
        "summary": plan.summary,
        "weeks": [
            {"focus": week.focus, "activities": [a.title for a in week.activities]}
            for week in plan.schedule
        ],
    }
    return [
        ChatMessage(
            Role.SYSTEM,
            "You are an English teacher. Rewrite this learning plan's summary and each week's "
            "focus so they speak to the learner warmly and concretely. Keep the activities; "
            f"answer with JSON: a summary of at most {MAX_SUMMARY_CHARS} characters and "
            f"'weeks', a list of exactly {len(plan.schedule)} focus lines of at most "
            f"{MAX_FOCUS_CHARS} characters.",
        ),
        ChatMessage(Role.USER, json.dumps(outline)),
    ]


async def phrase(plan: LearningPlan, model: LanguageModel) -> LearningPlan:
    """The plan in the model's words, or as it was when the model fails or answers outside
    the schema."""
    phrased = await json_answer(
        model,
        _prompt(plan),
        phrasing_schema(len(plan.schedule)),
        what="plan",
        max_tokens=MAX_PLAN_TOKENS,
        temperature=0.3,
    )
    if phrased is None:
        return plan
    weeks = [
        replace(week, focus=" ".join(focus.split()))
        for week, focus in zip(plan.schedule, phrased["weeks"], strict=True)
    ]
    summary = " ".join(phrased["summary"].split())
    return replace(plan, summary=summary, schedule=weeks, written_by=model.provider)


async def make_plan(
    user_id: UUID | None,
    cmd: MakePlan,
    model: LanguageModel | None,
    uow: LearningUnitOfWork,
) -> LearningPlan:
    """A plan for the level, the goals and the weeks; kept when the learner is signed in
    (`user_id`), answered only otherwise."""
    goals = check_plan(cmd)
    plan = LearningPlan(
        id=uuid4(),
        user_id=user_id,
        level=cmd.level,
        goals=list(cmd.goals),
        weeks=cmd.weeks,
        summary=rule_built_summary(cmd.level, goals, cmd.weeks),
        schedule=rule_built_schedule(cmd.level, goals, cmd.weeks),
        written_by=RULES,
        created_at=datetime.now(UTC),
    )
    if model is not None:
        plan = await phrase(plan, model)
    if user_id is None:
        return plan
    async with uow:
        if await uow.users.get(user_id) is None:
            raise Unauthenticated("Account no longer exists")
        await uow.learning_plans.add(plan)
        await uow.commit()
    return plan


async def get_plan(user_id: UUID, plan_id: UUID, uow: LearningUnitOfWork) -> LearningPlan:
    async with uow:
        plan = await uow.learning_plans.get(plan_id)
    return require_own(plan, user_id, "Learning plan")


async def list_plans(
    user_id: UUID, page: int, limit: int, uow: LearningUnitOfWork
) -> Page[LearningPlan]:
    return await learner_page(lambda u: u.learning_plans, user_id, page, limit, uow)
