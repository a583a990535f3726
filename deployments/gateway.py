"""The Gateway: the HTTP ingress deployment wrapping the FastAPI app.

Cheap work (auth, content queries, game sessions) runs inside this replica with no extra
hop; heavy work reaches its own deployment through handle adapters."""

from fastapi import FastAPI
from ray import serve

from adapters.http.app import create_app
from deployments.log_format import configure_logging
from deployments.settings import Settings
from deployments.wiring import bootstrap


def build_gateway_app() -> FastAPI:
    """Evaluated once in each Gateway replica: settings come from the replica's environment."""
    settings = Settings()
    configure_logging(settings.log_level)
    container = bootstrap(settings)
    return create_app(container.http_services(), on_shutdown=container.aclose)


@serve.deployment
@serve.ingress(build_gateway_app)
class Gateway:
    pass
