"""Use cases of 004's two-step import: audio files are uploaded into a batch, then a CSV
names them and creates one speech per row, all rows or none."""

import contextlib
import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain.audit.log import snapshot
from domain.content.catalog import SPEECH
from domain.content.rules import (
    CSV_COLUMNS,
    MAX_IMPORT_AUDIO_BYTES,
    MAX_IMPORT_ROWS,
    MAX_UPLOAD_FILES,
    REQUIRED_CSV_COLUMNS,
    SPEECH_TEXT_MAX_LENGTH,
    UPLOAD_BATCH_TTL,
    audio_type,
    catalogue_key,
    clean_file_name,
    unique_name,
    upload_key,
)
from domain.content.speeches import SPEECH_LEVELS
from domain.content.tags import NAME_MAX_LENGTH, TAG
from domain.errors import InvalidInput, NotFound, PayloadTooLarge, Unprocessable
from ports.audit import AuditAction, AuditEntry
from ports.blobs import BlobStore
from ports.cefr import CefrLevel
from ports.content import Speech, SpeechType, Tag, UploadBatch, UploadedAudio
from ports.unit_of_work import ContentAdminUnitOfWork

# Expired batches one request clears on its way (the rest wait for the next request).
_PURGE_PER_REQUEST = 20


@dataclass(frozen=True)
class IncomingAudio:
    """A file of an upload request, read only when it is stored (one at a time)."""

    filename: str
    size: int
    head: bytes
    """Its first 12 bytes at least (fewer when it is shorter), for `audio_type`."""
    read: Callable[[], Awaitable[bytes]]


async def purge_expired_batches(blobs: BlobStore, uow: ContentAdminUnitOfWork) -> int:
    """Deletes batches past their time, records and files; how many went."""
    async with uow:
        batches = await uow.upload_batches.expired(datetime.now(UTC), _PURGE_PER_REQUEST)
    for batch in batches:
        for file in batch.files:
            await blobs.delete(file.audio_key)
        async with uow:
            await uow.upload_batches.delete(batch.id)
            await uow.commit()
    return len(batches)


def _checked(files: list[IncomingAudio]) -> list[tuple[IncomingAudio, str, str]]:
    """Each file with its clean name and type; the whole request refused for one bad file."""
    if not files:
        raise InvalidInput("files must hold at least one audio file", {"field": "files"})
    if len(files) > MAX_UPLOAD_FILES:
        raise InvalidInput(
            f"At most {MAX_UPLOAD_FILES} files per request; send more to the same "
            "upload_session_id",
            {"field": "files"},
        )
    checked = []
    for file in files:
        name = clean_file_name(file.filename)
        if file.size > MAX_IMPORT_AUDIO_BYTES:
            raise PayloadTooLarge(
                f"File '{name}' exceeds {MAX_IMPORT_AUDIO_BYTES // (1024 * 1024)} MB",
                {"filename": name, "limit_bytes": MAX_IMPORT_AUDIO_BYTES},
            )
        content_type = audio_type(file.head)
        if content_type is None:
            raise InvalidInput(
                f"Invalid file format for '{name}': only MP3, WAV and M4A audio is accepted",
                {"field": "files", "filename": name},
            )
        checked.append((file, name, content_type))
    return checked


async def upload_audio(
    actor_id: UUID,
    batch_id: UUID | None,
    files: list[IncomingAudio],
    blobs: BlobStore,
    uow: ContentAdminUnitOfWork,
) -> list[UploadedAudio]:
    """Stores the files under uploads/{batch}/ in a new batch, or in `batch_id`'s while it
    lasts; a name the batch holds already gets `_1`, `_2`... All the files or none."""
    checked = _checked(files)
    await purge_expired_batches(blobs, uow)
    now = datetime.now(UTC)
    async with uow:
        batch = await uow.upload_batches.get(batch_id) if batch_id else None
    if batch_id and (batch is None or batch.expires_at <= now):
        raise NotFound("upload_session_id doesn't exist or expired")
    batch = batch or UploadBatch(uuid4(), actor_id, now, now + UPLOAD_BATCH_TTL)
    taken = {f.stored_name for f in batch.files}
    uploaded = []
    for file, name, content_type in checked:
        stored_name = unique_name(name, taken)
        taken.add(stored_name)
        key = upload_key(batch.id, stored_name)
        uploaded.append(
            UploadedAudio(uuid4(), batch.id, name, stored_name, key, content_type, file.size)
        )
    stored: list[str] = []
    try:
        for (file, _, content_type), audio in zip(checked, uploaded, strict=True):
            await blobs.put(audio.audio_key, await file.read(), content_type)
            stored.append(audio.audio_key)
        async with uow:
            if batch_id is None:
                await uow.upload_batches.add(batch)
            await uow.upload_batches.add_files(uploaded)
            await uow.commit()
    except BaseException:
        for key in stored:
            await blobs.delete(key)
        raise
    return uploaded


@dataclass(frozen=True)
class ImportRow:
    number: int
    """From 1, the header not counted (004's `row`)."""
    audio: UploadedAudio
    text: str
    level: CefrLevel
    type: SpeechType
    tag_names: list[str]


@dataclass(frozen=True)
class ImportPlan:
    """A CSV checked against its batch, every row valid: what `run_import` creates."""

    actor_id: UUID
    batch: UploadBatch
    rows: list[ImportRow]


@dataclass(frozen=True)
class CreatedSpeech:
    row: int
    speech_id: UUID
    text: str


@dataclass(frozen=True)
class ImportResult:
    created: list[CreatedSpeech]
    errors: list[dict[str, object]] = field(default_factory=list)


Progress = Callable[[int, int], Awaitable[None]]
"""Called with (rows done, rows in all) as the import goes."""


def read_csv(data: bytes) -> list[dict[str, str | None]]:
    """The rows of a CSV in 004's format (UTF-8, a header naming at least the required
    columns); InvalidInput for a file that is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("Invalid CSV format: not UTF-8 text", {"field": "file"}) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in REQUIRED_CSV_COLUMNS if c not in header]
        if missing:
            raise InvalidInput(
                f"Missing required columns: {', '.join(missing)}",
                {"field": "file", "missing_columns": missing, "columns": list(CSV_COLUMNS)},
            )
        reader.fieldnames = header
        rows = []
        for row in reader:
            if len(rows) == MAX_IMPORT_ROWS:
                raise InvalidInput(
                    f"A CSV may hold at most {MAX_IMPORT_ROWS} rows", {"field": "file"}
                )
            rows.append(row)
    except csv.Error as error:
        raise InvalidInput(
            f"Invalid CSV format at line {reader.line_num}: {error}", {"field": "file"}
        ) from None
    if not rows:
        raise InvalidInput("The CSV holds no rows", {"field": "file"})
    return rows  # type: ignore[return-value]


def _row_errors(
    number: int, row: dict[str, str | None], files: dict[str, UploadedAudio], seen: set[str]
) -> tuple[ImportRow | None, list[str]]:
    if None in row:  # DictReader's key for values past the header's columns
        return None, [f"Row has more values than the header has columns ({len(CSV_COLUMNS)})"]
    value = {k: (v or "").strip() for k, v in row.items()}
    errors = [f"Missing required field '{c}'" for c in REQUIRED_CSV_COLUMNS if not value.get(c)]
    name, text = value.get("audio_filename", ""), value.get("text", "")
    if name and name in seen:
        errors.append(f"Duplicate audio_filename '{name}' in the CSV")
    elif name and name not in files:
        errors.append(f"Audio file '{name}' not found in upload session")
    seen.add(name)
    level_text = value.get("level", "")
    if level_text and level_text not in SPEECH_LEVELS:
        errors.append(f"Invalid level '{level_text}'. Must be one of: {', '.join(SPEECH_LEVELS)}")
    type_text = value.get("type") or SpeechType.ANSWER.value
    if type_text not in {t.value for t in SpeechType}:
        errors.append(f"Invalid type '{type_text}'. Must be one of: question, answer")
    if len(text) > SPEECH_TEXT_MAX_LENGTH:
        errors.append(f"text is longer than {SPEECH_TEXT_MAX_LENGTH} characters")
    tags = list(dict.fromkeys(" ".join(t.split()) for t in value.get("tags", "").split(",")))
    tags = [t for t in tags if t]
    if any(len(t) > NAME_MAX_LENGTH for t in tags):
        errors.append(f"A tag name is longer than {NAME_MAX_LENGTH} characters")
    if errors:
        return None, errors
    return ImportRow(
        number, files[name], text, CefrLevel(level_text), SpeechType(type_text), tags
    ), []


async def prepare_import(
    actor_id: UUID,
    batch_id: UUID,
    csv_data: bytes,
    blobs: BlobStore,
    uow: ContentAdminUnitOfWork,
) -> ImportPlan:
    """Every row checked before anything is created: InvalidInput (400) for a file that is
    not a CSV of 004's columns, NotFound for a batch unknown or expired, Unprocessable (422)
    listing every row's errors."""
    rows = read_csv(csv_data)
    await purge_expired_batches(blobs, uow)
    async with uow:
        batch = await uow.upload_batches.get(batch_id)
    if batch is None or batch.expires_at <= datetime.now(UTC):
        raise NotFound("upload_session_id doesn't exist or expired")
    files = {f.stored_name: f for f in batch.files}
    plan, errors, seen = [], [], set()
    for number, row in enumerate(rows, start=1):
        checked, problems = _row_errors(number, row, files, seen)
        errors += [{"row": number, "error": problem} for problem in problems]
        if checked:
            plan.append(checked)
    if errors:
        raise Unprocessable(
            f"{len({e['row'] for e in errors})} of {len(rows)} rows are invalid; nothing was "
            "imported",
            {"success_count": 0, "error_count": len(errors), "errors": errors},
        )
    return ImportPlan(actor_id, batch, plan)


async def run_import(
    plan: ImportPlan,
    blobs: BlobStore,
    uow: ContentAdminUnitOfWork,
    progress: Progress | None = None,
) -> ImportResult:
    """Copies each row's audio to audio/{level}/{import}/, then creates the speeches, the tags
    no speech had yet and their audit entries in one transaction, and only then removes the
    batch. A failure on the way removes the copies made: neither speeches nor moved files
    remain, and the batch can be imported again. Each run copies under an id of its own, so
    a run that fails never removes what another run of the same batch committed."""
    run = uuid4()
    destinations = [catalogue_key(row.level, run, row.audio.audio_key) for row in plan.rows]
    total = len(plan.rows)
    copied: list[str] = []
    try:
        for done, (row, destination) in enumerate(
            zip(plan.rows, destinations, strict=True), start=1
        ):
            await blobs.copy(row.audio.audio_key, destination)
            copied.append(destination)
            if progress:
                await progress(done, total)
        created = await _create_speeches(plan, destinations, uow)
    except BaseException:
        for key in copied:
            with contextlib.suppress(Exception):  # the first error is the one to report
                await blobs.delete(key)
        raise
    # The speeches are in: the uploads are no longer needed. One left behind (the store
    # failing now) is named by nothing and harms nothing.
    for audio in plan.batch.files:
        with contextlib.suppress(Exception):
            await blobs.delete(audio.audio_key)
    return ImportResult(created)


async def _create_speeches(
    plan: ImportPlan, destinations: list[str], uow: ContentAdminUnitOfWork
) -> list[CreatedSpeech]:
    now = datetime.now(UTC)
    entries: list[AuditEntry] = []

    def audited(action: AuditAction, entity: str, entity_id: UUID, after: object) -> None:
        entries.append(
            AuditEntry(
                uuid4(), plan.actor_id, action, entity, entity_id, None, snapshot(after), now
            )
        )

    names = list(dict.fromkeys(n for row in plan.rows for n in row.tag_names))
    async with uow:
        if await uow.upload_batches.get(plan.batch.id) is None:
            raise NotFound("upload_session_id doesn't exist or expired")
        tags = {t.name: t for t in await uow.tags.get_by_names(names)}
        for name in names:
            if name not in tags:
                tags[name] = Tag(uuid4(), name, None, now)
                await uow.tags.add(tags[name])
                audited(AuditAction.CREATE, TAG, tags[name].id, tags[name])
        speeches = [
            Speech(
                id=uuid4(),
                text=row.text,
                level=row.level,
                type=row.type,
                audio_key=destination,
                created_at=now,
                updated_at=now,
                tags=[tags[n] for n in row.tag_names],
            )
            for row, destination in zip(plan.rows, destinations, strict=True)
        ]
        await uow.speeches.add_many(speeches)
        for speech in speeches:
            audited(AuditAction.CREATE, SPEECH, speech.id, speech)
        await uow.audit_log.add_many(entries)
        await uow.upload_batches.delete(plan.batch.id)
        await uow.commit()
    return [
        CreatedSpeech(row.number, speech.id, speech.text)
        for row, speech in zip(plan.rows, speeches, strict=True)
    ]
