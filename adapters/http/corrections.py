"""The one response shape of a grammar correction, in tutor turns and assessments alike."""

import dataclasses

from pydantic import BaseModel

from ports.grammar import Correction


class CorrectionOut(BaseModel):
    start: int
    end: int
    original: str
    suggestion: str | None
    message: str
    kind: str

    @classmethod
    def of(cls, c: Correction) -> "CorrectionOut":
        return cls(**dataclasses.asdict(c))
