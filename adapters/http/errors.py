"""One error body for every failure, and the one place where errors become status codes."""

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.middleware import current_request_id
from adapters.http.rate_limits import too_many_requests_headers
from domain import errors

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.Unprocessable: 422,
    errors.QuotaExceeded: 429,
    errors.TooManyRequests: 429,
    errors.ServiceUnavailable: 503,
    errors.NotConfigured: 501,
}

_CODE_BY_STATUS = {
    400: "ValidationError",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    501: "NotImplemented",
    503: "ServiceUnavailable",
}


class ErrorBody(BaseModel):
    error: str
    message: str
    # The message again, where clients written in FastAPI's convention read it.
    detail: str
    details: dict[str, Any]
    request_id: str
    timestamp: datetime


# What each error status means on any route, for the OpenAPI document (adapters/http/
# openapi.py adds those a route's dependencies imply; a route declares the others).
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Invalid request: a parameter or field breaks its schema or a rule "
    "(`details.field` names it when one does)",
    401: "No access token, or one that is invalid, expired or of an ended login session",
    403: "Not the caller's to do: another user's resource, or a role or plan it lacks",
    404: "What the request names does not exist, or is not the caller's to see",
    409: "The request conflicts with the current state of what it names",
    413: "The body, or a file in it, is over its size limit",
    422: "Well-formed but not workable: e.g. a recording with no speech in it",
    429: "Over a rate limit or quota; `Retry-After` says when to try again",
    501: "The provider this feature needs is not configured on this server",
    503: "A dependency (database, rate limiter store, model deployment, provider) is "
    "unavailable or busy; `Retry-After` when the wait is known",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route for the errors it raises beyond those its dependencies
    imply (adapters/http/openapi.py), each with the one error body."""
    return {
        status: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}
        for status in statuses
    }


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error body, as JSON values."""
    body = ErrorBody(
        error=code,
        message=message,
        detail=message,
        details=details or {},
        request_id=current_request_id(),
        timestamp=datetime.now(UTC),
    )
    return body.model_dump(mode="json")


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def status_of(exc: errors.DomainError) -> int:
    return next(s for kind, s in STATUS_BY_ERROR.items() if isinstance(exc, kind))


def streamed_error(exc: Exception) -> dict[str, Any]:
    """The error body (and the status it would have had) of a failure after a streamed
    answer began, when the status line has gone already."""
    if isinstance(exc, errors.DomainError):
        return {"status": status_of(exc), **error_body(exc.code, exc.message, exc.details)}
    logger.error("Unhandled error in a streamed answer", exc_info=exc)
    return {"status": 500, **error_body("InternalError", "Internal server error")}


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, errors.Busy | errors.QuotaExceeded):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    if isinstance(exc, errors.TooManyRequests):
        headers = too_many_requests_headers(exc)
    return error_response(status, exc.code, exc.message, exc.details, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [
        {"field": ".".join(str(p) for p in e["loc"]), "issue": e["msg"]} for e in exc.errors()
    ]
    json_invalid = any(e["type"] == "json_invalid" for e in exc.errors())
    message = "Malformed JSON body" if json_invalid else "Invalid request"
    details: dict[str, Any] = {"errors": issues}
    # Named as the domain's own checks name it, when one field is wrong: limits that the
    # schema states are checked here, before the domain would have named the field.
    fields = {str(e["loc"][-1]) for e in exc.errors() if len(e["loc"]) > 1}
    if len(fields) == 1:
        details["field"] = fields.pop()
    return error_response(400, "ValidationError", message, details)


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path: the router's own 405 names only those of
    the first route that matched the path, while a path can have a route per method."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _CODE_BY_STATUS.get(exc.status_code, "Error")
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return error_response(exc.status_code, code, str(exc.detail), headers=headers)


class UnhandledErrorMiddleware:
    """Answers an error that no handler took with a 500 and the one error body. It runs
    inside RequestIdMiddleware, so body and header carry the request's id: Starlette's own
    last-resort handler runs outside every middleware, where the id is gone."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception:
            if started:  # too late for another answer; the server ends the response
                raise
            logger.exception("Unhandled error on %s %s", scope["method"], scope["path"])
            response = error_response(500, "InternalError", "Internal server error")
            await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    # The handlers are async: Starlette runs a plain-def one in its thread pool.
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
