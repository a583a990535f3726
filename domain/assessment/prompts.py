"""Speaking prompts: what a learner is asked to talk about, per CEFR level."""

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import InvalidInput, NotFound
from ports.cefr import CefrLevel

MAX_PROMPTS = 50


@dataclass(frozen=True)
class SpeakingPrompt:
    id: str
    level: CefrLevel
    topic: str
    text: str
    seconds: int
    """How long the learner is asked to speak (within the 30 s recording limit)."""


def prompts_for(
    prompts: Sequence[SpeakingPrompt], level: CefrLevel | None, limit: int
) -> list[SpeakingPrompt]:
    """In catalog order, so that a client can show the same list twice."""
    if not 1 <= limit <= MAX_PROMPTS:
        raise InvalidInput(f"limit must be 1 to {MAX_PROMPTS}", {"field": "limit"})
    return [p for p in prompts if level is None or p.level is level][:limit]


def find_prompt(prompts: Sequence[SpeakingPrompt], prompt_id: str) -> SpeakingPrompt:
    for p in prompts:
        if p.id == prompt_id:
            return p
    raise NotFound(f"no speaking prompt {prompt_id!r}", {"prompt_id": prompt_id})
