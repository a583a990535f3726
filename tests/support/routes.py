"""The app's own route table, for tests that must cover every route, those yet to come too:
each route's method, path, who may call it (from its dependencies), and its path
parameters."""

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIWebSocketRoute, iter_route_contexts

from adapters.http import security
from adapters.http.app import api_router


class Access(StrEnum):
    PUBLIC = "public"
    OPTIONAL = "optional"  # a token is optional; a wrong one is refused all the same
    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True)
class Route:
    method: str  # "WS" for a WebSocket
    path: str  # the template, e.g. /api/v1/game/sessions/{session_id}
    access: Access
    params: Mapping[str, Any]  # path parameter -> its annotation
    convertors: Mapping[str, Any]
    body: type | None  # the body's model (a JSON body), None for none or a form

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def url(self, values: Callable[[str, "Route"], str | None] | None = None) -> str:
        """The path with each parameter given by `values` (None: a placeholder of its type
        that the route matches)."""
        path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", self.path)
        filled = {
            name: (values(name, self) if values else None) or self.placeholder(name)
            for name in self.params
        }
        return path.format(**filled)

    def placeholder(self, name: str) -> str:
        annotation = self.params[name]
        candidates = {uuid.UUID: [str(uuid.uuid4())], int: ["1"]}.get(annotation, ["x"])
        regex = getattr(self.convertors.get(name), "regex", "[^/]+")
        candidates += regex.split("|")  # a convertor that lists its values
        return next(c for c in candidates if re.fullmatch(regex, c))


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _access(dependant: Dependant) -> Access:
    calls = set(_calls(dependant))
    for call, access in (
        (security._admin, Access.ADMIN),
        (security._claims, Access.USER),
        (security._optional_claims, Access.OPTIONAL),
    ):
        if call in calls:
            return access
    return Access.PUBLIC


def api_routes() -> list[Route]:
    """Every route under /api/v1, HTTP and WebSocket, one per method."""
    root = APIRouter()
    root.include_router(api_router())
    routes = []
    for context in iter_route_contexts(root.routes):
        dependant = context.dependant
        params = {p.name: p.field_info.annotation for p in dependant.path_params}
        if isinstance(context.original_route, APIWebSocketRoute):
            methods = ["WS"]
            access = Access.USER  # every socket authenticates (adapters/http/sockets.py)
            body = None
        else:
            methods = sorted(context.methods)
            access = _access(dependant)
            field = context.body_field
            annotation = field.field_info.annotation if field is not None else None
            # FastAPI names the model of a multipart body Body_<operation>.
            form = annotation is not None and annotation.__name__.startswith("Body_")
            body = None if form else annotation
        for method in methods:
            routes.append(
                Route(method, context.path, access, params, context.param_convertors, body)
            )
    return routes
