"""Liveness and readiness probes."""

from fastapi import APIRouter
from pydantic import BaseModel

from adapters.http.services import Services
from domain.errors import ServiceUnavailable

router = APIRouter(tags=["health"])

OK = "ok"


class Status(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]
    """Each configured dependency: "ok", or what is wrong with it."""


@router.get("/health", response_model=Status)
async def health() -> Status:
    """The process answers."""
    return Status(status="ok")


@router.get("/ready", response_model=Readiness)
async def ready(services: Services) -> Readiness:
    """Every configured dependency answers: the database, the blob store, and Redis and NATS
    when set, each with its status under `checks`. 503 when any does not, its error body
    listing them all under `details.checks`."""
    checks = await services.check_ready()
    failing = [name for name, status in checks.items() if status != OK]
    if failing:
        raise ServiceUnavailable(f"Not ready: {', '.join(failing)}", {"checks": checks})
    return Readiness(status="ready", checks=checks)
