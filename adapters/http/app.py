"""Builds the FastAPI application from the services the composition root hands over."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from adapters.blobs.local import LocalBlobStore
from adapters.http import admin_panel, openapi
from adapters.http.errors import UnhandledErrorMiddleware, install_error_handlers
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
from adapters.http.services import HttpServices

API_PREFIX = "/api/v1"


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
        dependencies=[Depends(rate_limited)],
    )
    app.state.services = services
    api = APIRouter(prefix=API_PREFIX)
    # The tutor's /conversations/sessions comes before messaging's /conversations/{id}.
    routers = (
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
    for module in routers:
        api.include_router(module.router)
    app.include_router(api)
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
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    pages = {path: DOCS_POLICY for path in docs if path} | {
        try_page.PATH: PAGE_POLICY,
        f"{admin_panel.PATH}/": PANEL_POLICY,
    }
    # Outside the unhandled-error answer, so that a 500 carries the headers too.
    app.add_middleware(SecurityHeadersMiddleware, page_policies=pages)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(RunToCompletionMiddleware)  # outermost: covers all the others
    return app
