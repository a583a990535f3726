"""The try page: a browser client of the public API (adapters/http/static/try), served as
static files at /try/, with / leading to it."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

PATH = "/try"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static" / "try"


def mount(app: FastAPI) -> None:
    app.mount(PATH, StaticFiles(directory=STATIC_DIR, html=True), name="try")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse(f"{PATH}/")
