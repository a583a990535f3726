"""The curriculum's content (titles, descriptions, topics and their Urdu hints), from
curriculum.json."""

import json
from pathlib import Path

from domain.curriculum.content import (
    Curriculum,
    CurriculumStage,
    Exercise,
    Topic,
    check_curriculum,
    kind_of,
)
from ports.cefr import CefrLevel

CURRICULUM_JSON = Path(__file__).parent / "curriculum.json"


def read_curriculum(path: Path = CURRICULUM_JSON) -> Curriculum:
    """Topics are numbered in file order; ValueError when the content does not fit the
    curriculum's shape."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return check_curriculum(
        [
            CurriculumStage(
                number=s["number"],
                level=CefrLevel(s["level"]),
                title=s["title"],
                description=s["description"],
                exercises=tuple(
                    Exercise(
                        kind=kind_of(e["slug"]),
                        title=e["title"],
                        description=e["description"],
                        topics=tuple(
                            Topic(
                                number=n,
                                title=t["title"],
                                prompt=t["prompt"],
                                text=t.get("text"),
                                urdu_hint=t.get("urdu_hint"),
                            )
                            for n, t in enumerate(e["topics"], start=1)
                        ),
                    )
                    for e in s["exercises"]
                ),
            )
            for s in data["stages"]
        ]
    )
