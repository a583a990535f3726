"""The tutor's question bank (topics, their words and questions by CEFR band, and the
templates for any topic), from tutor_questions.json."""

import json
from pathlib import Path
from typing import Any

from domain.tutor.questions import (
    Band,
    BandQuestions,
    QuestionBank,
    TopicQuestions,
    Word,
    check_question_bank,
)

QUESTIONS_JSON = Path(__file__).parent / "tutor_questions.json"


def _bands(data: dict[str, Any]) -> dict[Band, BandQuestions]:
    return {
        Band(band): BandQuestions(
            warm_up=tuple(q["warm_up"]),
            words=tuple(Word(w["word"], w["meaning"]) for w in q["words"]),
            practice=tuple(q["practice"]),
            discussion=tuple(q["discussion"]),
        )
        for band, q in data.items()
    }


def read_question_bank(path: Path = QUESTIONS_JSON) -> QuestionBank:
    """ValueError when the content does not fit the bank's shape."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return check_question_bank(
        QuestionBank(
            topics=tuple(
                TopicQuestions(
                    name=t["name"],
                    aliases=tuple(t["aliases"]),
                    keywords=tuple(t["keywords"]),
                    bands=_bands(t["bands"]),
                )
                for t in data["topics"]
            ),
            any_topic=_bands(data["any_topic"]),
        )
    )
