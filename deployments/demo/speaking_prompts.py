"""The speaking prompts GET /speaking-prompts serves, from speaking_prompts.csv."""

import csv
from pathlib import Path

from domain.assessment.prompts import SpeakingPrompt
from ports.cefr import CefrLevel

PROMPTS_CSV = Path(__file__).parent / "speaking_prompts.csv"


def read_speaking_prompts(path: Path = PROMPTS_CSV) -> tuple[SpeakingPrompt, ...]:
    with path.open(newline="") as f:
        return tuple(
            SpeakingPrompt(
                id=r["id"],
                level=CefrLevel(r["level"]),
                topic=r["topic"],
                text=r["text"],
                seconds=int(r["seconds"]),
            )
            for r in csv.DictReader(f)
        )
