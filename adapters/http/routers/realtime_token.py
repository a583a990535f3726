"""001's /api/token: a short-lived credential for a realtime voice session with the tutor."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from adapters.http.errors import error_responses
from adapters.http.security import CurrentUser
from adapters.http.services import Services
from domain.errors import NotConfigured

router = APIRouter(prefix="/realtime", tags=["realtime"])

TUTOR_INSTRUCTIONS = (
    "You are a patient English tutor. Speak clearly, keep your turns short, ask the learner "
    "open questions and correct one important mistake at a time."
)


class TokenOut(BaseModel):
    token: str
    expires_at: datetime
    model: str
    provider: str


@router.post("/token", response_model=TokenOut, responses=error_responses(501))
async def create_realtime_token(claims: CurrentUser, services: Services) -> TokenOut:
    """501 until a realtime provider is configured (OPENAI_API_KEY)."""
    if services.realtime_tokens is None:
        raise NotConfigured(
            "No realtime voice provider is configured", {"setting": "OPENAI_API_KEY"}
        )
    token = await services.realtime_tokens.issue(instructions=TUTOR_INSTRUCTIONS)
    return TokenOut(
        token=token.value, expires_at=token.expires_at, model=token.model, provider=token.provider
    )
