"""Liveness and readiness probes."""

from fastapi import APIRouter
from pydantic import BaseModel

from adapters.http.services import Services

router = APIRouter(tags=["health"])


class Status(BaseModel):
    status: str


@router.get("/health", response_model=Status)
async def health() -> Status:
    """The process answers."""
    return Status(status="ok")


@router.get("/ready", response_model=Status)
async def ready(services: Services) -> Status:
    """The database answers; 503 otherwise."""
    await services.check_ready()
    return Status(status="ready")
