"""Builds the FastAPI application from the services the composition root hands over."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from adapters.blobs.local import LocalBlobStore
from adapters.http import admin_panel, openapi
from adapters.http.access import AccessMiddleware
from adapters.http.errors import UnhandledErrorMiddleware, install_error_handlers
from adapters.http.inputs import text_only_url
from adapters.http.middleware import (
    DOCS_POLICY,
    PAGE_POLICY,
    PANEL_POLICY,
    BodySizeLimitMiddleware,
    RequestIdMiddleware,
    RunToCompletionMiddleware,
    SecurityHeadersMiddleware,
    TextBodyMiddleware,
)
from adapters.http.rate_limits import RateLimitHeadersMiddleware, rate_limited
from adapters.http.routers import (
    admin_audit,
    admin_import,
    admin_speeches,
    admin_tags,
    assessment,
    auth,
    blobs,
    classes,
    courses,
    curriculum,
    game,
    health,
    learning,
    messaging,
    messaging_socket,
    plans,
    realtime_token,
    reviews,
    speech,
    tags,
    try_page,
    tutoring,
    users,
    voice_socket,
)
from adapters.http.routers.admin_import import PROGRESS_MEDIA_TYPE
from adapters.http.services import HttpServices

API_PREFIX = "/api/v1"


# The tutor's /conversations/sessions comes before messaging's /conversations/{id}.
ROUTERS = (
    health,
    auth,
    users,
    tags,
    game,
    speech,
    admin_tags,
    admin_speeches,
    admin_audit,
    admin_import,
    assessment,
    realtime_token,
    tutoring,
    learning,
    reviews,
    plans,
    curriculum,
    classes,
    courses,
    messaging,
    voice_socket,  # its /ws/english-only and /ws/learn before /ws/{token}
    messaging_socket,
)
# Headers a browser client sends besides the CORS-safelisted ones, and those it may read.
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"]
CORS_EXPOSED_HEADERS = [
    "X-Request-ID",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-Provider",
    "Content-Disposition",
]
# JSON lists of a few hundred items shrink five- to tenfold; below 1 KB gzip saves little.
# Audio (streamed synthesis, stored recordings) is compressed already, and a progress stream
# must reach the client line by line: neither is compressed.
GZIP_MINIMUM_BYTES = 1024
# Measured on 130 KB of speeches (300 items with signed links): level 6 makes 29.6 KB in
# 1.9 ms, Starlette's default 9 the same size in 4.4 ms of the Gateway's CPU.
GZIP_LEVEL = 6
GZIP_EXCLUDED_TYPES = (*DEFAULT_EXCLUDED_CONTENT_TYPES, PROGRESS_MEDIA_TYPE)


def api_router() -> APIRouter:
    """Every route under /api/v1, as the app serves them."""
    api = APIRouter(prefix=API_PREFIX)
    for module in ROUTERS:
        api.include_router(module.router)
    return api


def create_app(
    services: HttpServices,
    *,
    max_json_bytes: int = 1 << 20,
    max_upload_bytes: int = 11 << 20,
    max_import_bytes: int = 1 << 30,
    on_startup: Callable[[], Awaitable[None]] | None = None,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_startup is not None:
            await on_startup()
        yield
        if on_shutdown is not None:
            await on_shutdown()

    app = FastAPI(
        title="Parla",
        version="0.1.0",
        description="Backend for AI English tutoring. [Try it in a browser](/try/).",
        lifespan=lifespan,
        generate_unique_id_function=openapi.operation_id,
        # Every route, those of routers yet to come too, takes its limit (adapters/http/
        # rate_limits.py).
        dependencies=[Depends(rate_limited), Depends(text_only_url)],
    )
    app.state.services = services
    app.include_router(api_router())
    if isinstance(services.blobs, LocalBlobStore):
        app.include_router(blobs.blob_router(services.blobs))
    try_page.mount(app)
    if services.admin_panel is not None:
        services.admin_panel(app)
    openapi.document(app)
    install_error_handlers(app)
    app.add_middleware(TextBodyMiddleware)  # inside the size limit, which bounds its buffer
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_json_bytes=max_json_bytes,
        max_upload_bytes=max_upload_bytes,
        # Many audio files at once, or a CSV of thousands of rows: parsed to disk as they come.
        bulk_upload_limits={f"{API_PREFIX}{admin_import.PREFIX}": max_import_bytes},
    )
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_BYTES,
        compresslevel=GZIP_LEVEL,
        exclude_content_types=GZIP_EXCLUDED_TYPES,
    )
    if services.allowed_origins:
        # Outside the error answers and the gzip, so that a 401, 429 or 500 carries the
        # headers too and a browser lets its client read it; preflights are answered here.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(services.allowed_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        )
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    pages = {path: DOCS_POLICY for path in docs if path} | {
        try_page.PATH: PAGE_POLICY,
        f"{admin_panel.PATH}/": PANEL_POLICY,
    }
    # Outside the unhandled-error answer, so that a 500 carries the headers too.
    app.add_middleware(SecurityHeadersMiddleware, page_policies=pages)
    # Inside the request id, outside the unhandled-error answer: it counts a 500 as one.
    app.add_middleware(AccessMiddleware, metrics=services.metrics)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(RunToCompletionMiddleware)  # outermost: covers all the others
    return app
