"""001's learning goals and the plans built from them by rules: every activity is one that
Parla offers, so a plan is useful with no language model at all."""

from dataclasses import dataclass

from ports.cefr import CefrLevel
from ports.learning import ActivityKind, PlanActivity, PlanWeek


@dataclass(frozen=True)
class Goal:
    id: str
    title: str
    description: str
    topics: tuple[str, ...]
    """Tutor session topics, one a week in turn."""
    stress: ActivityKind | None = None
    """The activity this goal practises more often than the others."""


GOALS: tuple[Goal, ...] = (
    Goal(
        "everyday_conversation",
        "Everyday conversation",
        "Talk with confidence about daily life: family, plans, shopping and food.",
        ("your family", "weekend plans", "shopping", "cooking and food", "your neighbourhood"),
        ActivityKind.TUTOR_SESSION,
    ),
    Goal(
        "pronunciation",
        "Clear pronunciation",
        "Be understood the first time: sounds, stress and rhythm, word by word.",
        ("tongue twisters", "reading aloud", "telephone calls"),
        ActivityKind.PRONUNCIATION,
    ),
    Goal(
        "vocabulary",
        "A larger vocabulary",
        "Learn the words you meet and keep them, with reviews spaced as memory needs.",
        ("describing people", "describing places", "feelings", "the news"),
        ActivityKind.VOCABULARY_REVIEW,
    ),
    Goal(
        "grammar",
        "Accurate grammar",
        "Make fewer mistakes: tenses, agreement and word order, corrected as you speak.",
        ("what you did yesterday", "what you will do next year", "comparing things"),
        ActivityKind.SENTENCE_ASSESSMENT,
    ),
    Goal(
        "travel",
        "Travel",
        "Get around abroad: airports, hotels, directions, restaurants.",
        ("at the airport", "checking into a hotel", "asking for directions", "at a restaurant"),
    ),
    Goal(
        "business",
        "English for work",
        "Meetings, presentations, phone calls and small talk with colleagues.",
        ("a team meeting", "presenting a project", "small talk with colleagues", "negotiating"),
    ),
    Goal(
        "job_interview",
        "Job interviews",
        "Answer interview questions about yourself, your experience and your plans.",
        ("tell me about yourself", "your strengths and weaknesses", "a difficult situation"),
    ),
    Goal(
        "fluency",
        "Fluency",
        "Speak longer without pauses: answer open questions for a minute or more.",
        ("a memorable day", "a book or film you like", "your opinion on city life"),
        ActivityKind.SPEAKING_ASSESSMENT,
    ),
)
GOALS_BY_ID = {goal.id: goal for goal in GOALS}

MAX_GOALS = 5
MAX_WEEKS = 52
# A tutor session long enough to reach every stage (greeting, vocabulary, sentences, topic)
# at the level's pace: beginners tire sooner, advanced learners need longer turns.
SESSION_MINUTES = {
    CefrLevel.A1: 10,
    CefrLevel.A2: 10,
    CefrLevel.B1: 15,
    CefrLevel.B2: 15,
    CefrLevel.C1: 20,
    CefrLevel.C2: 20,
}
# A check of the level every four weeks, and in the last week: often enough to see progress,
# rare enough that a level estimate can move between two of them.
ASSESSMENT_EVERY_WEEKS = 4
# Reviews work best a little every day; five days a week leaves two days off.
REVIEW_DAYS = 5
REVIEW_MINUTES = 10
# What a week holds of each activity; a goal's stressed activity takes STRESS_TIMES.
BASE_TIMES = {
    ActivityKind.TUTOR_SESSION: 2,
    ActivityKind.PRONUNCIATION: 2,
    ActivityKind.LISTEN_AND_REPEAT: 1,
    ActivityKind.SENTENCE_ASSESSMENT: 1,
}
STRESS_TIMES = 4


def _activities(
    goal: Goal, topic: str, week: int, weeks: int, level: CefrLevel
) -> list[PlanActivity]:
    times = dict(BASE_TIMES)
    if goal.stress in times:
        times[goal.stress] = STRESS_TIMES
    session = SESSION_MINUTES[level]
    activities = [
        PlanActivity(
            ActivityKind.TUTOR_SESSION,
            f"Talk with the tutor about {topic}",
            session,
            times[ActivityKind.TUTOR_SESSION],
        ),
        PlanActivity(
            ActivityKind.PRONUNCIATION,
            f"Read {level.value} sentences aloud and score each word",
            10,
            times[ActivityKind.PRONUNCIATION],
        ),
        PlanActivity(
            ActivityKind.LISTEN_AND_REPEAT,
            f"Play listen-and-repeat at {level.value}",
            10,
            times[ActivityKind.LISTEN_AND_REPEAT],
        ),
        PlanActivity(
            ActivityKind.VOCABULARY_REVIEW,
            "Review the words that are due",
            REVIEW_MINUTES if goal.stress is not ActivityKind.VOCABULARY_REVIEW else 15,
            REVIEW_DAYS,
        ),
        PlanActivity(
            ActivityKind.SENTENCE_ASSESSMENT,
            f"Write sentences about {topic} and read their corrections",
            10,
            times[ActivityKind.SENTENCE_ASSESSMENT],
        ),
    ]
    if (
        week % ASSESSMENT_EVERY_WEEKS == 0
        or week == weeks
        or goal.stress is (ActivityKind.SPEAKING_ASSESSMENT)
    ):
        activities.append(
            PlanActivity(
                ActivityKind.SPEAKING_ASSESSMENT,
                "Take a speaking assessment and save it to see your level",
                5,
                1,
            )
        )
    return activities


def rule_built_schedule(level: CefrLevel, goals: list[Goal], weeks: int) -> list[PlanWeek]:
    """One week after another, each focused on the next goal in turn, with the activities
    that goal practises most given more often."""
    schedule = []
    for week in range(1, weeks + 1):
        goal = goals[(week - 1) % len(goals)]
        # A goal met again talks about its next topic.
        topic = goal.topics[(week - 1) // len(goals) % len(goal.topics)]
        activities = _activities(goal, topic, week, weeks, level)
        schedule.append(PlanWeek(week, f"{goal.title}: {goal.description}", activities))
    return schedule


def rule_built_summary(level: CefrLevel, goals: list[Goal], weeks: int) -> str:
    titles = ", ".join(goal.title.lower() for goal in goals)
    return (
        f"A {weeks}-week plan at level {level.value} for {titles}: each week focuses on one "
        "goal, with tutor conversations, pronunciation practice and daily vocabulary reviews; "
        f"a speaking assessment every {ASSESSMENT_EVERY_WEEKS} weeks and at the end shows how "
        "your level moves."
    )
