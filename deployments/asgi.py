"""The app without Ray Serve, for any ASGI server: `uvicorn --factory deployments.asgi:create`.

Everything runs in the one process (speech scoring included); settings come from the
environment as for the Gateway."""

from fastapi import FastAPI

from adapters.http.app import create_app
from deployments.log_format import configure_logging
from deployments.settings import Settings
from deployments.wiring import bootstrap


def create() -> FastAPI:
    settings = Settings()
    configure_logging(settings.log_level)
    container = bootstrap(settings)
    return create_app(
        container.http_services(), on_startup=container.start, on_shutdown=container.aclose
    )
