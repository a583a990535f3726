"""004's two-step import over the in-memory unit of work and the local blob store: audio
checked by content and size, names made unique, every CSV row checked before anything is
created, and an import failing half-way leaving neither speeches nor moved files."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from adapters.blobs.local import LocalBlobStore
from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.audit.log import list_audit_entries
from domain.content.catalog import list_speeches
from domain.content.imports import IncomingAudio, prepare_import, run_import, upload_audio
from domain.content.rules import MAX_IMPORT_AUDIO_BYTES, audio_type, clean_file_name, unique_name
from domain.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unprocessable,
)
from ports.audit import AuditFilter
from ports.content import SpeechFilter
from tests.support.audio import silence
from tests.support.blobs import FailingCopies

ADMIN = uuid4()
MP3 = (Path(__file__).parents[1] / "fixtures/speech/sentence00-en-us-1x.mp3").read_bytes()
WAV = silence(0.1)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + b"\x00" * 32


@pytest.mark.parametrize(
    "head, expected",
    [
        (WAV, "audio/wav"),
        (MP3, "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + b"\0" * 8, "audio/mpeg"),  # a bare MPEG-1 layer III frame
        (M4A, "audio/mp4"),
        (b"\x00\x00\x00\x20ftypisom" + b"\0" * 4, "audio/mp4"),
        (b"\xff\xf1\x50\x80" + b"\0" * 8, None),  # ADTS AAC: layer bits 00
        (b"\x00\x00\x00\x20ftypavc1" + b"\0" * 4, None),  # an MPEG-4 video brand
        (b"RIFF\0\0\0\0AVI ", None),
        (b"<html><script>", None),
        (b"", None),
    ],
)
def test_audio_is_recognised_by_its_first_bytes(head, expected):
    assert audio_type(head[:12]) == expected


def test_names_are_made_unique_and_cleaned():
    assert unique_name("a.mp3", {"b.mp3"}) == "a.mp3"
    assert unique_name("a.mp3", {"a.mp3", "a_1.mp3"}) == "a_2.mp3"
    assert unique_name("notes", {"notes"}) == "notes_1"
    assert clean_file_name("C:\\takes\\one.mp3") == "one.mp3"
    assert clean_file_name("takes/one two.mp3") == "one two.mp3"
    for bad in ["", "dir/", ".hidden.mp3", "a\x00.mp3", "a" * 256]:
        with pytest.raises(InvalidInput):
            clean_file_name(bad)


def incoming(name: str, data: bytes = MP3, size: int | None = None) -> IncomingAudio:
    async def read() -> bytes:
        return data

    return IncomingAudio(name, len(data) if size is None else size, data[:12], read)


@pytest.fixture
def blobs(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path, "http://testserver", b"k" * 32)


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(InMemoryDatabase())


def stored(blobs: LocalBlobStore, root: str) -> list[str]:
    base = Path(blobs._root)
    return (
        sorted(
            str(p.relative_to(base))
            for p in (base / root).rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )
        if (base / root).exists()
        else []
    )


async def test_uploads_get_unique_names_in_their_batch(blobs, uow):
    first = await upload_audio(
        ADMIN, None, [incoming("q.mp3"), incoming("q.mp3"), incoming("w.wav", WAV)], blobs, uow
    )
    batch = first[0].batch_id
    more = await upload_audio(ADMIN, batch, [incoming("q.mp3", M4A)], blobs, uow)
    names = [a.stored_name for a in first + more]
    assert names == ["q.mp3", "q_1.mp3", "w.wav", "q_2.mp3"]
    assert [a.original_filename for a in first + more] == ["q.mp3", "q.mp3", "w.wav", "q.mp3"]
    assert (await blobs.get(f"uploads/{batch}/q_2.mp3")).content_type == "audio/mp4"
    assert (await blobs.get(f"uploads/{batch}/w.wav")).data == WAV


async def test_a_bad_file_refuses_the_whole_request(blobs, uow):
    with pytest.raises(PayloadTooLarge) as large:
        await upload_audio(
            ADMIN,
            None,
            [incoming("ok.mp3"), incoming("big.mp3", size=MAX_IMPORT_AUDIO_BYTES + 1)],
            blobs,
            uow,
        )
    assert large.value.details["filename"] == "big.mp3"
    with pytest.raises(InvalidInput) as invalid:
        await upload_audio(
            ADMIN, None, [incoming("ok.mp3"), incoming("x.mp3", b"<html>")], blobs, uow
        )
    assert invalid.value.details["filename"] == "x.mp3"
    with pytest.raises(NotFound):
        await upload_audio(ADMIN, uuid4(), [incoming("ok.mp3")], blobs, uow)
    assert stored(blobs, "uploads") == []


async def test_an_expired_batch_is_gone_with_its_files(blobs, uow):
    (audio,) = await upload_audio(ADMIN, None, [incoming("q.mp3")], blobs, uow)
    async with uow:
        batch = await uow.upload_batches.get(audio.batch_id)
        await uow.upload_batches.delete(batch.id)
        await uow.upload_batches.add(replace(batch, expires_at=datetime.now(UTC) - timedelta(1)))
        await uow.commit()

    with pytest.raises(NotFound):
        await prepare_import(
            ADMIN, audio.batch_id, b"audio_filename,text,level\nq.mp3,Hi,A1\n", blobs, uow
        )
    assert stored(blobs, "uploads") == []


@pytest.mark.parametrize(
    "csv",
    [
        b"",
        b"audio_filename,text\nq.mp3,Hi\n",
        b"filename,text,level\nq.mp3,Hi,A1\n",
        b"audio_filename,text,level\n",
        b'audio_filename,text,level\nq.mp3,"Hi,A1\n',
        "audio_filename,text,level\nq.mp3,Caf\u00e9,A1\n".encode("latin-1"),
    ],
    ids=["empty", "no level column", "misnamed column", "no rows", "open quote", "not UTF-8"],
)
async def test_a_file_that_is_not_such_a_csv_is_invalid(blobs, uow, csv):
    (audio,) = await upload_audio(ADMIN, None, [incoming("q.mp3")], blobs, uow)
    with pytest.raises(InvalidInput):
        await prepare_import(ADMIN, audio.batch_id, csv, blobs, uow)


async def test_every_row_error_is_listed_and_nothing_is_created(blobs, uow):
    uploaded = await upload_audio(ADMIN, None, [incoming("a.mp3"), incoming("b.mp3")], blobs, uow)
    csv = (
        b"audio_filename,text,level,type,tags\n"
        b"a.mp3,Fine.,A1,answer,Basics\n"
        b"missing.mp3,Where?,A1,question,\n"
        b"b.mp3,Hi,D1,,\n"
        b"a.mp3,Again,A2,statement,\n"
        b",,,,\n"
        b"b.mp3,Too,A1,answer,x,extra\n"
    )
    with pytest.raises(Unprocessable) as refused:
        await prepare_import(ADMIN, uploaded[0].batch_id, csv, blobs, uow)
    errors = refused.value.details["errors"]
    assert refused.value.details["success_count"] == 0
    assert refused.value.details["error_count"] == len(errors)
    assert {"row": 2, "error": "Audio file 'missing.mp3' not found in upload session"} in errors
    assert {"row": 3, "error": "Invalid level 'D1'. Must be one of: A1, A2, B1, B2, C1"} in errors
    assert {"row": 4, "error": "Duplicate audio_filename 'a.mp3' in the CSV"} in errors
    assert {
        "row": 4,
        "error": "Invalid type 'statement'. Must be one of: question, answer",
    } in errors
    assert {"row": 5, "error": "Missing required field 'text'"} in errors
    assert [e["row"] for e in errors if "more values" in e["error"]] == [6]
    assert 1 not in {e["row"] for e in errors}
    assert (await list_speeches(SpeechFilter(), 1, 10, uow)).total == 0


async def test_an_import_creates_speeches_and_tags_and_moves_the_audio(blobs, uow):
    uploaded = await upload_audio(
        ADMIN, None, [incoming("a.mp3"), incoming("a.mp3"), incoming("b.wav", WAV)], blobs, uow
    )
    batch = uploaded[0].batch_id
    csv = (
        b"audio_filename,text,level,type,tags\n"
        b'a.mp3,"What is your name?",A1,question,"Present Simple, Basics"\n'
        b'a_1.mp3,"My name is John.",A1,,Basics\n'
        b"b.wav,Where do you live?,B2,question,\n"
    )
    progress: list[tuple[int, int]] = []

    async def report(done: int, total: int) -> None:
        progress.append((done, total))

    plan = await prepare_import(ADMIN, batch, csv, blobs, uow)
    result = await run_import(plan, blobs, uow, report)

    assert [(c.row, c.text) for c in result.created] == [
        (1, "What is your name?"),
        (2, "My name is John."),
        (3, "Where do you live?"),
    ]
    assert progress == [(1, 3), (2, 3), (3, 3)]
    speeches = (await list_speeches(SpeechFilter(), 1, 10, uow)).items
    by_text = {s.text: s for s in speeches}
    assert [t.name for t in by_text["What is your name?"].tags] == ["Basics", "Present Simple"]
    assert by_text["My name is John."].type == "answer"
    moved = by_text["Where do you live?"].audio_key
    assert re.fullmatch(r"audio/B2/[0-9a-f-]{36}/b\.wav", moved)
    assert (await blobs.get(moved)).content_type == "audio/wav"
    assert stored(blobs, "uploads") == []
    async with uow:
        assert await uow.upload_batches.get(batch) is None
    entries = (await list_audit_entries(AuditFilter(actor_id=ADMIN), 1, 50, uow)).items
    assert sorted(e.entity for e in entries) == ["speech"] * 3 + ["tag"] * 2


async def test_an_import_failing_half_way_leaves_nothing_and_can_be_run_again(tmp_path, uow):
    local = LocalBlobStore(tmp_path, "http://testserver", b"k" * 32)
    blobs = FailingCopies(local, allowed=1)
    uploaded = await upload_audio(ADMIN, None, [incoming("a.mp3"), incoming("b.mp3")], blobs, uow)
    batch = uploaded[0].batch_id
    csv = b"audio_filename,text,level,tags\na.mp3,One,A1,New tag\nb.mp3,Two,A2,\n"
    plan = await prepare_import(ADMIN, batch, csv, blobs, uow)

    with pytest.raises(ServiceUnavailable):
        await run_import(plan, blobs, uow)

    assert len(blobs.copied) == 1
    assert stored(local, "audio") == []
    assert stored(local, "uploads") == [f"uploads/{batch}/a.mp3", f"uploads/{batch}/b.mp3"]
    assert (await list_speeches(SpeechFilter(), 1, 10, uow)).total == 0
    async with uow:
        assert await uow.tags.get_by_names(["New tag"]) == []
    assert (await list_audit_entries(AuditFilter(), 1, 10, uow)).total == 0

    blobs.allowed = 2
    await run_import(await prepare_import(ADMIN, batch, csv, blobs, uow), blobs, uow)
    assert (await list_speeches(SpeechFilter(), 1, 10, uow)).total == 2


async def test_a_batch_gone_before_the_speeches_are_saved_leaves_no_moved_file(blobs, uow):
    (audio,) = await upload_audio(ADMIN, None, [incoming("a.mp3")], blobs, uow)
    plan = await prepare_import(
        ADMIN, audio.batch_id, b"audio_filename,text,level\na.mp3,One,A1\n", blobs, uow
    )
    async with uow:
        await uow.upload_batches.delete(audio.batch_id)
        await uow.commit()

    with pytest.raises(NotFound):
        await run_import(plan, blobs, uow)
    assert stored(blobs, "audio") == []
    assert (await list_speeches(SpeechFilter(), 1, 10, uow)).total == 0
