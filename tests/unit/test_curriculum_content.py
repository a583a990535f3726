"""The curriculum's content against its shape: the demo file fits, and content that does
not (a missing exercise, too few topics, a topic to say with no text, no Urdu hint where the
exercise has them) is refused when it is read."""

from dataclasses import replace

import pytest

from deployments.demo.curriculum import read_curriculum
from domain.curriculum.content import MIN_TOPICS_PER_EXERCISE, check_curriculum


def test_the_demo_curriculum_fits():
    curriculum = read_curriculum()
    assert len(curriculum.stages) == 6
    assert curriculum.exercise_by_slug("news-summary").kind.stage == 4
    assert min(curriculum.topic_counts.values()) >= MIN_TOPICS_PER_EXERCISE


def _with_first_exercise(change):
    stages = list(read_curriculum().stages)
    first = stages[0]
    exercises = (change(first.exercises[0]), *first.exercises[1:])
    stages[0] = replace(first, exercises=exercises)
    return stages


@pytest.mark.parametrize(
    "change",
    [
        lambda e: replace(e, topics=e.topics[: MIN_TOPICS_PER_EXERCISE - 1]),
        lambda e: replace(e, topics=(replace(e.topics[0], text=None), *e.topics[1:])),
        lambda e: replace(e, topics=(replace(e.topics[0], urdu_hint=None), *e.topics[1:])),
        lambda e: replace(e, topics=(replace(e.topics[0], prompt=" "), *e.topics[1:])),
    ],
)
def test_content_that_does_not_fit_is_refused(change):
    with pytest.raises(ValueError):
        check_curriculum(_with_first_exercise(change))


def test_exercises_out_of_order_are_refused():
    stages = list(read_curriculum().stages)
    stages[0] = replace(stages[0], exercises=tuple(reversed(stages[0].exercises)))
    with pytest.raises(ValueError):
        check_curriculum(stages)
