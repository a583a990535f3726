"""Learning plans: the rule-built plan from the goals, a language model's phrasing kept only
when it fits the schema, and who may read a kept plan."""

import json
from uuid import uuid4

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable
from domain.learning.goals import GOALS, MAX_WEEKS, STRESS_TIMES
from domain.learning.plans import RULES, MakePlan, get_plan, list_plans, make_plan
from ports.cefr import CefrLevel
from ports.language_model import ChatMessage
from ports.learning import ActivityKind
from tests.support.memory import given, learner


class ScriptedModel:
    """A language model that answers with `answer` (or raises it)."""

    provider = "scripted"

    def __init__(self, answer: str | Exception) -> None:
        self._answer = answer
        self.schemas: list[dict] = []

    async def complete(self, messages: list[ChatMessage], **options) -> str:
        self.schemas.append(options["json_schema"])
        if isinstance(self._answer, Exception):
            raise self._answer
        return self._answer


def phrasing(count: int, **changes) -> str:
    answer = {"summary": "Your plan.", "weeks": [f"Week {n} for you." for n in range(count)]}
    return json.dumps(answer | changes)


def times(week, kind: ActivityKind) -> int:
    return next(a.times_per_week for a in week.activities if a.kind is kind)


async def test_a_rule_built_plan_turns_through_the_goals_week_by_week():
    cmd = MakePlan(CefrLevel.B1, ["pronunciation", "travel"], 8)
    plan = await make_plan(None, cmd, None, InMemoryUnitOfWork(InMemoryDatabase()))

    assert plan.written_by == RULES and plan.user_id is None and len(plan.schedule) == 8
    assert [w.focus.split(":")[0] for w in plan.schedule[:3]] == [
        "Clear pronunciation",
        "Travel",
        "Clear pronunciation",
    ]
    # The pronunciation goal's weeks practise pronunciation more.
    assert times(plan.schedule[0], ActivityKind.PRONUNCIATION) == STRESS_TIMES
    assert times(plan.schedule[1], ActivityKind.PRONUNCIATION) < STRESS_TIMES
    # A goal met again talks about its next topic.
    sessions = [
        next(a.title for a in w.activities if a.kind is ActivityKind.TUTOR_SESSION)
        for w in plan.schedule
    ]
    assert sessions[1] == "Talk with the tutor about at the airport"
    assert sessions[3] == "Talk with the tutor about checking into a hotel"
    assessed = [
        w.week
        for w in plan.schedule
        if any(a.kind is ActivityKind.SPEAKING_ASSESSMENT for a in w.activities)
    ]
    assert assessed == [4, 8]


@pytest.mark.parametrize(
    "cmd",
    [
        MakePlan(CefrLevel.A1, [], 4),
        MakePlan(CefrLevel.A1, ["travel", "travel"], 4),
        MakePlan(CefrLevel.A1, ["cooking"], 4),
        MakePlan(CefrLevel.A1, [g.id for g in GOALS[:6]], 4),
        MakePlan(CefrLevel.A1, ["travel"], 0),
        MakePlan(CefrLevel.A1, ["travel"], MAX_WEEKS + 1),
    ],
)
async def test_a_plan_needs_known_goals_and_a_duration(cmd):
    with pytest.raises(InvalidInput):
        await make_plan(None, cmd, None, InMemoryUnitOfWork(InMemoryDatabase()))


async def test_a_model_phrases_the_plan_within_its_schema():
    model = ScriptedModel(phrasing(3))
    plan = await make_plan(
        None, MakePlan(CefrLevel.A2, ["travel"], 3), model, InMemoryUnitOfWork(InMemoryDatabase())
    )

    assert plan.written_by == "scripted" and plan.summary == "Your plan."
    assert [w.focus for w in plan.schedule] == [
        "Week 0 for you.",
        "Week 1 for you.",
        "Week 2 for you.",
    ]
    # The activities stay the rules': the model only words them.
    assert all(w.activities for w in plan.schedule)
    assert model.schemas[0]["properties"]["weeks"]["minItems"] == 3


@pytest.mark.parametrize(
    "answer",
    [
        "not json",
        "[]",
        phrasing(2),
        phrasing(3, summary=""),
        phrasing(3, summary="   "),
        phrasing(3, summary="x" * 601),
        phrasing(3, weeks=["a", "b", 3]),
        phrasing(3, extra="field"),
        ServiceUnavailable("The language model is down"),
    ],
)
async def test_a_model_answer_outside_the_schema_leaves_the_rule_built_plan(answer):
    cmd = MakePlan(CefrLevel.A2, ["travel"], 3)
    database = InMemoryDatabase()
    rules = await make_plan(None, cmd, None, InMemoryUnitOfWork(database))

    plan = await make_plan(None, cmd, ScriptedModel(answer), InMemoryUnitOfWork(database))

    assert plan.written_by == RULES
    assert (plan.summary, plan.schedule) == (rules.summary, rules.schedule)


async def test_a_signed_in_learners_plan_is_kept_and_theirs_alone():
    database = InMemoryDatabase()
    ana, ben = learner(), learner("Ben")
    await given(database, ana, ben)
    plan = await make_plan(
        ana.id, MakePlan(CefrLevel.B2, ["business"], 2), None, InMemoryUnitOfWork(database)
    )

    assert await get_plan(ana.id, plan.id, InMemoryUnitOfWork(database)) == plan
    assert (await list_plans(ana.id, 1, 10, InMemoryUnitOfWork(database))).items == [plan]
    with pytest.raises(Forbidden):
        await get_plan(ben.id, plan.id, InMemoryUnitOfWork(database))
    with pytest.raises(NotFound):
        await get_plan(ana.id, uuid4(), InMemoryUnitOfWork(database))
    assert (await list_plans(ben.id, 1, 10, InMemoryUnitOfWork(database))).total == 0
