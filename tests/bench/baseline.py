"""The baseline server's app: the product's FastAPI app, wired in process, for plain uvicorn
(`uvicorn tests.bench.baseline:create_baseline_app --factory`)."""

from fastapi import FastAPI

from adapters.http.app import create_app
from deployments.settings import Settings
from deployments.wiring import bootstrap


def create_baseline_app() -> FastAPI:
    container = bootstrap(Settings())
    return create_app(container.http_services(), on_shutdown=container.aclose)
