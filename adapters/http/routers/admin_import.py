"""/admin/import: 004's two-step import of speeches (admin role). Audio files go into an
upload batch first; a CSV then names them, one speech per row, all rows or none."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Form, Request, UploadFile, status
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from adapters.http.errors import error_body, error_responses, streamed_error
from adapters.http.security import AdminUser
from adapters.http.services import HttpServices, Services
from domain.content import imports
from domain.content.rules import MAX_CSV_BYTES, MAX_IMPORT_AUDIO_BYTES
from domain.content.speeches import AUDIO_URL_LIFETIME
from domain.errors import PayloadTooLarge, Unprocessable

PREFIX = "/admin/import"
router = APIRouter(prefix=PREFIX, tags=["admin"])
PROGRESS_MEDIA_TYPE = "application/x-ndjson"
# Progress lines per import at most (one per 1% of the rows), whatever its size.
_PROGRESS_STEPS = 100


class UploadedFileOut(BaseModel):
    id: UUID
    original_filename: str
    stored_filename: str
    """The name a CSV row's audio_filename refers to."""
    storage_key: str
    storage_url: str
    size_bytes: int


class UploadOut(BaseModel):
    upload_session_id: UUID
    uploaded_files: list[UploadedFileOut]


class CreatedSpeechOut(BaseModel):
    row: int
    speech_id: UUID
    text: str


class ImportOut(BaseModel):
    success_count: int
    error_count: int
    created_speeches: list[CreatedSpeechOut]
    errors: list[dict[str, Any]]

    @classmethod
    def of(cls, result: imports.ImportResult) -> "ImportOut":
        return cls(
            success_count=len(result.created),
            error_count=len(result.errors),
            created_speeches=[CreatedSpeechOut(**vars(c)) for c in result.created],
            errors=result.errors,
        )


async def _incoming(file: UploadFile) -> imports.IncomingAudio:
    head = await file.read(12)
    await file.seek(0)
    return imports.IncomingAudio(
        filename=file.filename or "",
        size=file.size if file.size is not None else MAX_IMPORT_AUDIO_BYTES + 1,
        head=head,
        read=file.read,
    )


@router.post("/audio", response_model=UploadOut, responses=error_responses(404))
async def upload_audio(
    admin: AdminUser,
    services: Services,
    files: Annotated[
        list[UploadFile],
        File(description="MP3, WAV or M4A (checked by content), 10 MB each, 1,000 at most"),
    ],
    upload_session_id: Annotated[
        UUID | None, Form(description="Adds the files to this batch instead of a new one")
    ] = None,
) -> UploadOut:
    """Stores the files in an upload batch that lasts 24 hours; a name the batch already
    holds gets `_1`, `_2`... One bad file refuses the request (400 not audio, 413 too
    large) and stores nothing."""
    incoming = [await _incoming(f) for f in files]
    uploaded = await imports.upload_audio(
        admin.user_id, upload_session_id, incoming, services.blobs, services.unit_of_work()
    )
    return UploadOut(
        upload_session_id=uploaded[0].batch_id,
        uploaded_files=[
            UploadedFileOut(
                id=a.id,
                original_filename=a.original_filename,
                stored_filename=a.stored_name,
                storage_key=a.audio_key,
                storage_url=services.blobs.signed_url(a.audio_key, AUDIO_URL_LIFETIME),
                size_bytes=a.size_bytes,
            )
            for a in uploaded
        ],
    )


@router.post(
    "/csv",
    response_model=ImportOut,
    responses={200: {"content": {PROGRESS_MEDIA_TYPE: {}}}} | error_responses(404, 422),
)
async def import_csv(
    request: Request,
    admin: AdminUser,
    services: Services,
    file: Annotated[UploadFile, File(description="004's CSV: audio_filename,text,level,type,tags")],
    upload_session_id: Annotated[UUID, Form()],
) -> Any:
    """Every row is checked before anything is created: 400 for a file that is not such a
    CSV, 404 for an unknown or expired batch, 422 listing every row's errors (in `errors`,
    as in the 200 answer, and in `details`). Then each
    row's audio moves to audio/{level}/ and its speech is created, all or none.

    With `Accept: application/x-ndjson` the answer streams one JSON line per 1% of rows
    (`{"progress": {"done": n, "total": N}}`) and ends with `{"result": ...}` (this route's
    JSON) or `{"error": ...}` (the error body) should the import fail after checking."""
    if file.size is None or file.size > MAX_CSV_BYTES:
        raise PayloadTooLarge(
            f"The CSV exceeds {MAX_CSV_BYTES // (1024 * 1024)} MB", {"limit_bytes": MAX_CSV_BYTES}
        )
    uow = services.unit_of_work()
    try:
        plan = await imports.prepare_import(
            admin.user_id, upload_session_id, await file.read(), services.blobs, uow
        )
    except Unprocessable as refused:
        return _rows_refused(refused)
    if PROGRESS_MEDIA_TYPE not in request.headers.get("accept", ""):
        return ImportOut.of(await imports.run_import(plan, services.blobs, uow))
    return StreamingResponse(_progress_lines(plan, services), media_type=PROGRESS_MEDIA_TYPE)


def _rows_refused(refused: Unprocessable) -> JSONResponse:
    """The error body, with the rows' errors also where 004's answer has them (at the top,
    as in its 200 answer), for clients that read them there."""
    errors = refused.details["errors"]
    result = ImportOut(success_count=0, error_count=len(errors), created_speeches=[], errors=errors)
    body = error_body(refused.code, refused.message, refused.details) | result.model_dump()
    return JSONResponse(body, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _progress_lines(plan: imports.ImportPlan, services: HttpServices) -> AsyncIterator[bytes]:
    """The import runs in a task of its own, so that a client going away neither stops it
    half-way nor keeps it from finishing or rolling back."""
    lines: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    step = max(1, len(plan.rows) // _PROGRESS_STEPS)

    async def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            lines.put_nowait({"progress": {"done": done, "total": total}})

    async def run() -> None:
        try:
            result = await imports.run_import(
                plan, services.blobs, services.unit_of_work(), progress
            )
            lines.put_nowait({"result": ImportOut.of(result).model_dump(mode="json")})
        except Exception as error:
            lines.put_nowait({"error": streamed_error(error)})
        finally:
            lines.put_nowait(None)

    task = asyncio.create_task(run())
    while (line := await lines.get()) is not None:
        yield json.dumps(line).encode() + b"\n"
    await task
