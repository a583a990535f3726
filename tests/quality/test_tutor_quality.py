"""The offline tutor (the default TUTOR_MODEL and Harper, as the Tutor deployment builds
them) on the first turns of a scripted conversation of the evaluation's tuning part: no
refusal, a follow-up question, a recast after every corrected turn, no reply twice. Bounded
to eight turns (a few seconds); `python -m evaluation.conversations` runs all of them."""

import json

from adapters.metrics import PrometheusMetrics
from deployments.demo.tutor_questions import read_question_bank
from deployments.providers import build_language_model, build_tutor
from evaluation.conversations import DATA, TimedModel, converse, summary
from tests.support.api import isolated_settings

TURNS = 8


async def test_the_offline_tutor_answers_scripted_turns_like_a_tutor(tmp_path):
    settings = isolated_settings(tmp_path, llm_provider="local", tutor_model="smollm2-135m")
    conversations = json.loads(DATA.read_text(encoding="utf-8"))["conversations"]
    script = next(c for c in conversations if c["id"] == "travel-a2")
    script = {**script, "turns": script["turns"][:TURNS]}
    metrics = PrometheusMetrics()
    model = TimedModel(build_language_model(settings, metrics))
    scored = await converse(
        build_tutor(settings, metrics, model),
        model,
        script,
        read_question_bank().topic("travel").keywords,
    )
    measured = summary([scored])
    assert measured["refusals"] == 0
    assert measured["follow_ups"] >= 0.8
    assert measured["repeated_replies"] == 0
    assert measured["on_topic"] >= 0.8
    assert measured["recasts"] in (None, 1.0)
    assert len(model.completions) == TURNS  # the model was asked every turn
