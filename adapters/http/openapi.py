"""What the OpenAPI document says beyond FastAPI's defaults: stable operation ids, and the
error responses of each route, derived from what the route depends on.

A route's errors come from its declaration: whatever its dependencies imply (below), plus
the `responses=errors.error_responses(...)` it names for the errors its use cases raise (409,
422, ...). A new route is therefore documented correctly as soon as it names those."""

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from adapters.http import security
from adapters.http.errors import ERROR_DESCRIPTIONS, ErrorBody
from adapters.http.rate_limits import DECLARATION, limit_of
from adapters.http.services import Services

_ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the request may be made again",
        "schema": {"type": "integer"},
    }
}
_RATE_LIMIT_HEADERS = {
    f"RateLimit-{name}": {"description": description, "schema": {"type": "integer"}}
    for name, description in (
        ("Limit", "Requests allowed in the window"),
        ("Remaining", "Requests left in the window"),
        ("Reset", "Seconds until the window frees a request"),
    )
}


def operation_id(route: APIRoute | RouteContext) -> str:
    """The endpoint's name (`log_in`, `score_pronunciation`): readable in generated clients
    and stable when paths or prefixes move. Unique in the app (`document` checks)."""
    return route.name


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _depends_on(route: RouteContext, alias: Any) -> bool:
    """Whether the route resolves the dependency of `alias` (`CurrentUser`, `Services`: an
    `Annotated[..., Depends(call)]`), itself or through another dependency."""
    call = alias.__metadata__[0].dependency
    return any(d.call is call for d in _dependants(route.dependant))


def implied_errors(route: RouteContext, method: str) -> set[int]:
    """The error statuses a route can answer because of what it depends on: its inputs
    (400; a body also 413), a bearer token (401: one that is sent must be valid), the admin
    role (403), a path naming a resource (404), a rate limit (429, and 503 when the limiter's
    store is down) and the composition root's services (503: database, providers)."""
    dependants = list(_dependants(route.dependant))
    inputs = any(
        d.path_params or d.query_params or d.header_params or d.cookie_params or d.body_params
        for d in dependants
    )
    statuses: set[int] = set()
    if inputs:
        statuses.add(400)
    if route.body_field is not None:
        statuses.add(413)
    if _depends_on(route, security.OptionalUser):
        statuses.add(401)
    if _depends_on(route, security.AdminUser):
        statuses.add(403)
    if any(d.path_params for d in dependants):
        statuses.add(404)
    if limit_of(method, route.path_format, route.openapi_extra) is not None:
        statuses.update((429, 503))
    if _depends_on(route, Services):
        statuses.add(503)
    return statuses


def needs_admin(route: RouteContext) -> bool:
    return _depends_on(route, security.AdminUser)


def api_routes(app: FastAPI) -> Iterator[RouteContext]:
    """The routes of the OpenAPI document, with their full paths and dependencies."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            yield route


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": _ERROR_BODY}},
    }
    if status == 429:
        response["headers"] = _RETRY_AFTER | _RATE_LIMIT_HEADERS
    return response


def _add_errors(app: FastAPI, document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "ErrorBody", ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for route in api_routes(app):
        for method in route.methods:
            operation = document["paths"][route.path_format][method.lower()]
            limit = limit_of(method, route.path_format, route.openapi_extra)
            if limit is not None:
                operation.setdefault(DECLARATION, limit)
            responses = operation["responses"]
            # FastAPI's own 422 is never answered: validation errors are 400s here.
            if "422" in responses and responses["422"].get("description") == ("Validation Error"):
                del responses["422"]
            for status in sorted(implied_errors(route, method)):
                responses.setdefault(str(status), _error_response(status))
            if "429" in responses:
                responses["429"].setdefault("headers", _RETRY_AFTER | _RATE_LIMIT_HEADERS)
    if "#/components/schemas/HTTPValidationError" not in json.dumps(document["paths"]):
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)


def document(app: FastAPI) -> None:
    """Checks that operation ids are unique, and makes the app's OpenAPI document carry each
    route's error responses and rate limit."""
    seen: dict[str, str] = {}
    for route in api_routes(app):
        name = operation_id(route)
        if name in seen:
            raise ValueError(
                f"Operation id {name!r} of {route.path_format} is taken by {seen[name]}: "
                "rename one of the endpoint functions"
            )
        seen[name] = route.path_format
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add_errors(app, generate())  # FastAPI keeps the document it made
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
