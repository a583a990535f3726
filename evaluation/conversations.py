"""Scripted conversations through the real tutor with the offline defaults, scored for what
a tutor must do: never refuse, stay on the topic, ask a follow-up question, recast the
learner's sentence after an error, never repeat a reply.

    .venv/bin/python -m evaluation.conversations [--part held_out] [--tutor-model PATH]

Each conversation of evaluation/data/tutor_conversations.json (a topic, a CEFR level and
20 learner lines, errors annotated by kind) is a tutor session: the greeting, then each
learner line answered by the Tutor the Tutor deployment builds (deployments.providers.
build_tutor: the language model TUTOR_MODEL names, Harper, the question bank), with the
session's last messages as its history, as the use case passes them. Scores per
conversation and per part (tuning, held_out: written with the rest and never used while
tuning), reply and model latency, the process's peak memory, and whether the held-out part
meets the targets. Writes evaluation/results/conversations-<model>.json and .md.

A reply counts as:
- a refusal when it apologises, refuses or says the speaker is not a tutor
  (domain.tutor.checks.refuses);
- on the topic when it shares a content word with the topic, its bank keywords or the
  learner's line (domain.curriculum.evaluation.content_words);
- a follow-up when it ends with a question mark;
- a recast, after a turn the tutor corrected, when it holds every corrected word (said
  to the learner in the second person, "am" as "are");
- repeated when it is the same text as an earlier reply of the conversation.
The model's comment was kept when its text is in the reply."""

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from adapters.metrics import PrometheusMetrics
from deployments.demo.tutor_questions import read_question_bank
from deployments.providers import build_language_model, build_tutor
from deployments.settings import Settings
from domain.assessment.text import words_of
from domain.curriculum.evaluation import content_words
from domain.tutor.checks import refuses, sentences_of
from domain.tutor.recasts import SAID_BACK
from domain.tutor.sessions import HISTORY_MESSAGES, greeting
from domain.tutor.tutor import Tutor
from ports.cefr import CefrLevel
from ports.language_model import ChatMessage, LanguageModel
from ports.tutoring import InputMode, Speaker, Stage, TurnContext, TutorMessage

DATA = Path(__file__).parent / "data" / "tutor_conversations.json"
RESULTS = Path(__file__).parent / "results"
PARTS = ("tuning", "held_out")
TARGET_FOLLOW_UPS = 0.8


class TimedModel:
    """The tutor's language model, with each completion's text and time noted."""

    def __init__(self, model: LanguageModel) -> None:
        self._model = model
        self.provider = model.provider
        self.completions: list[tuple[str, float]] = []

    async def complete(self, messages: list[ChatMessage], **options: Any) -> str:
        start = time.perf_counter()
        answer = await self._model.complete(messages, **options)
        self.completions.append((answer, time.perf_counter() - start))
        return answer


@dataclass
class Scored:
    id: str
    topic: str
    level: str
    part: str
    turns: list[dict[str, Any]] = field(default_factory=list)

    def count(self, key: str) -> int:
        return sum(1 for t in self.turns if t[key])


def _message(speaker: Speaker, text: str, sequence: int) -> TutorMessage:
    return TutorMessage(
        uuid4(), uuid4(), sequence, speaker, text, InputMode.TEXT, [], datetime.now(UTC)
    )


def holds_recast(reply: str, suggestions: list[str]) -> bool:
    """Whether every word of every suggestion is in the reply, as said or said back."""
    said = set(words_of(reply.lower()))
    wanted = [w.lower() for s in suggestions for w in words_of(s)]
    return all(w in said or SAID_BACK.get(w) in said for w in wanted)


async def converse(
    tutor: Tutor, model: TimedModel, conversation: dict[str, Any], keywords: tuple[str, ...]
) -> Scored:
    topic, level = conversation["topic"], CefrLevel(conversation["level"])
    scored = Scored(conversation["id"], topic, level.value, conversation["part"])
    history = [_message(Speaker.TUTOR, greeting(topic), 1)]
    stage, replies = Stage.GREETING, []
    for n, line in enumerate(conversation["turns"]):
        learner = line["learner"]
        context = TurnContext(level, topic, stage, n, history[-HISTORY_MESSAGES:])
        asked = len(model.completions)
        start = time.perf_counter()
        reply = await tutor.reply(context, learner)
        seconds = time.perf_counter() - start
        model_text = " ".join(text for text, _ in model.completions[asked:])
        suggestions = [c.suggestion for c in reply.corrections if c.suggestion]
        on_topic = content_words(" ".join([topic, learner, *keywords]))
        scored.turns.append(
            {
                "learner": learner,
                "error": line["error"],
                "stage": reply.next_stage.value,
                "reply": reply.text,
                "corrected": reply.corrected_text,
                "refusal": refuses(reply.text),
                "on_topic": bool(content_words(reply.text) & on_topic),
                "follow_up": reply.text.rstrip().endswith("?"),
                "corrected_turn": bool(suggestions),
                "recast": bool(suggestions) and holds_recast(reply.text, suggestions),
                "repeated": reply.text in replies,
                "model_said": model_text,
                "model_kept": _kept(model_text, reply.text),
                "seconds": seconds,
            }
        )
        replies.append(reply.text)
        history += [
            _message(Speaker.LEARNER, learner, 2 * n + 2),
            _message(Speaker.TUTOR, reply.text, 2 * n + 3),
        ]
        stage = reply.next_stage
    return scored


def _kept(model_text: str, reply: str) -> bool:
    said = sentences_of(model_text)
    return bool(said) and said[0] in reply


def summary(conversations: list[Scored]) -> dict[str, Any]:
    turns = [t for c in conversations for t in c.turns]
    corrected = [t for t in turns if t["corrected_turn"]]
    errors = [t for t in turns if t["error"]]
    seconds = [t["seconds"] for t in turns]
    return {
        "conversations": len(conversations),
        "replies": len(turns),
        "refusals": sum(t["refusal"] for t in turns),
        "on_topic": sum(t["on_topic"] for t in turns) / len(turns),
        "follow_ups": sum(t["follow_up"] for t in turns) / len(turns),
        "corrected_turns": len(corrected),
        "recasts": sum(t["recast"] for t in corrected) / len(corrected) if corrected else None,
        "annotated_errors_corrected": sum(bool(t["corrected"]) for t in errors) / len(errors),
        "repeated_replies": sum(t["repeated"] for t in turns),
        "model_words_kept": sum(t["model_kept"] for t in turns) / len(turns),
        "reply_seconds": {"p50": statistics.median(seconds), "p95": _p95(seconds)},
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def targets(held_out: dict[str, Any]) -> dict[str, bool]:
    return {
        "no refusals": held_out["refusals"] == 0,
        f"follow-up question in at least {TARGET_FOLLOW_UPS:.0%} of replies": held_out["follow_ups"]
        >= TARGET_FOLLOW_UPS,
        "no reply repeated within a conversation": held_out["repeated_replies"] == 0,
    }


def markdown(report: dict[str, Any]) -> str:
    rows = [
        ("conversations / replies", lambda s: f"{s['conversations']} / {s['replies']}"),
        ("refusals", lambda s: str(s["refusals"])),
        ("replies on the topic", lambda s: f"{s['on_topic']:.0%}"),
        ("replies ending with a follow-up question", lambda s: f"{s['follow_ups']:.0%}"),
        (
            "recasts after a corrected turn",
            lambda s: (
                f"{s['recasts']:.0%} of {s['corrected_turns']}"
                if s["recasts"] is not None
                else "none corrected"
            ),
        ),
        (
            "annotated errors the checker corrected",
            lambda s: f"{s['annotated_errors_corrected']:.0%}",
        ),
        ("replies repeated within a conversation", lambda s: str(s["repeated_replies"])),
        ("replies with the model's words", lambda s: f"{s['model_words_kept']:.0%}"),
        (
            "reply time p50 / p95",
            lambda s: f"{s['reply_seconds']['p50']:.2f} s / {s['reply_seconds']['p95']:.2f} s",
        ),
    ]
    parts = report["parts"]
    lines = [
        f"# Tutor conversations: {report['model']}",
        "",
        f"`{report['command']}`, {report['date']}; peak memory {report['peak_memory_mib']} MiB,"
        f" model completion p50 / p95 {report['model_seconds']['p50']:.2f} s / "
        f"{report['model_seconds']['p95']:.2f} s.",
        "",
        "| measure | " + " | ".join(parts) + " |",
        "| --- |" + " ---: |" * len(parts),
    ]
    lines += [
        f"| {name} | " + " | ".join(cell(parts[p]) for p in parts) + " |" for name, cell in rows
    ]
    if report["targets"]:
        lines += ["", "Targets (held-out part):"]
        lines += [
            f"- {'met' if ok else 'NOT met'}: {name}" for name, ok in report["targets"].items()
        ]
    lines += ["", "| conversation | part | refusals | on topic | follow-ups | recasts | repeats |"]
    lines += ["| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for c in report["conversations"]:
        s = c["summary"]
        recasts = f"{s['recasts']:.0%}" if s["recasts"] is not None else "-"
        lines.append(
            f"| {c['id']} ({c['topic']}, {c['level']}) | {c['part']} | {s['refusals']} | "
            f"{s['on_topic']:.0%} | {s['follow_ups']:.0%} | {recasts} | {s['repeated_replies']} |"
        )
    return "\n".join(lines) + "\n"


async def evaluate(settings: Settings, part: str | None) -> dict[str, Any]:
    data = json.loads(DATA.read_text(encoding="utf-8"))["conversations"]
    chosen = [c for c in data if part in (None, c["part"])]
    metrics = PrometheusMetrics()
    model = TimedModel(build_language_model(settings, metrics))
    tutor, bank = build_tutor(settings, metrics, model), read_question_bank()
    scored = []
    for conversation in chosen:
        known = bank.topic(conversation["topic"])
        keywords = known.keywords if known else ()
        scored.append(await converse(tutor, model, conversation, keywords))
        print(f"{conversation['id']}: {len(conversation['turns'])} turns", file=sys.stderr)
    by_part = {p: [c for c in scored if c.part == p] for p in PARTS}
    parts = {p: summary(cs) for p, cs in by_part.items() if cs}
    if len(parts) > 1:
        parts["all"] = summary(scored)
    model_seconds = [s for _, s in model.completions]
    return {
        "model": model.provider,
        "date": datetime.now(UTC).date().isoformat(),
        "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "model_seconds": {"p50": statistics.median(model_seconds), "p95": _p95(model_seconds)},
        "parts": parts,
        "targets": targets(parts["held_out"]) if "held_out" in parts else {},
        "conversations": [
            {
                "id": c.id,
                "topic": c.topic,
                "level": c.level,
                "part": c.part,
                "summary": summary([c]),
                "turns": c.turns,
            }
            for c in scored
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, help="one part only (default: both)")
    parser.add_argument(
        "--tutor-model", help="TUTOR_MODEL for this run: the path of another GGUF file"
    )
    options = parser.parse_args()
    overrides: dict[str, Any] = {"llm_provider": "local"}
    if options.tutor_model:
        overrides["tutor_model"] = options.tutor_model
    settings = Settings(_env_file=None, **overrides)  # the offline defaults, whatever .env says
    report = asyncio.run(evaluate(settings, options.part))
    command = "python -m evaluation.conversations"
    if options.part:
        command += f" --part {options.part}"
    if options.tutor_model:
        command += f" --tutor-model {Path(options.tutor_model).name}"
    report["command"] = command
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"conversations-{report['model']}"
    Path(f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    page = markdown(report)
    Path(f"{stem}.md").write_text(page)
    print(page, end="")
    print(f"results in {stem}.json and .md")


if __name__ == "__main__":
    main()
