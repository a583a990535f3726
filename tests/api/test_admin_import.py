"""/admin/import (004's two-step import) on the local blob store and on MinIO's (a real S3
server): status codes and bodies, and what the store holds afterwards."""

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.blobs.local import LocalBlobStore
from domain.content.rules import MAX_IMPORT_AUDIO_BYTES
from tests.api.test_admin_tags import admin_headers
from tests.support.api import assert_error, client_with, sign_up
from tests.support.audio import silence
from tests.support.blobs import FailingCopies, minio_store

pytestmark = pytest.mark.asyncio
MP3 = (Path(__file__).parents[1] / "fixtures/speech/sentence00-en-us-1x.mp3").read_bytes()
WAV = silence(0.2)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + b"\x00" * 64


@pytest.fixture(params=["local", "minio"])
async def store(request, container):
    if request.param == "local":
        return container.blobs
    return minio_store(request.getfixturevalue("s3"))


@pytest.fixture
async def admin(store, container) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    async with client_with(container, blobs=store) as client:
        yield client, await admin_headers(client, container)


def files(*named: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    # curl -F "files=@name" sends application/octet-stream: the type is never trusted.
    return [("files", (name, data, "application/octet-stream")) for name, data in named]


async def upload(client, headers, *named, batch: str | None = None) -> httpx.Response:
    data = {"upload_session_id": batch} if batch else None
    return await client.post(
        "/api/v1/admin/import/audio", files=files(*named), data=data, headers=headers
    )


async def import_csv(client, headers, batch: str, csv: str, **extra) -> httpx.Response:
    return await client.post(
        "/api/v1/admin/import/csv",
        files={"file": ("speeches.csv", csv.encode(), "text/csv")},
        data={"upload_session_id": batch},
        headers=headers | extra,
    )


async def fetch(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A signed URL: the Gateway's own for the local store, MinIO's presigned otherwise."""
    if url.startswith(str(client.base_url)):
        return await client.get(url)
    async with httpx.AsyncClient() as outside:
        return await outside.get(url)


async def test_004s_example_imports_three_speeches(admin, store):
    client, headers = admin
    tag = f"Basics {uuid.uuid4().hex[:6]}"
    uploaded = await upload(
        client, headers, ("audio1.mp3", MP3), ("audio2.wav", WAV), ("audio3.m4a", M4A)
    )
    assert uploaded.status_code == 200, uploaded.text
    body = uploaded.json()
    batch = body["upload_session_id"]
    assert [f["stored_filename"] for f in body["uploaded_files"]] == [
        "audio1.mp3",
        "audio2.wav",
        "audio3.m4a",
    ]
    first = body["uploaded_files"][0]
    assert first["size_bytes"] == len(MP3)
    assert first["storage_key"] == f"uploads/{batch}/audio1.mp3"
    assert (await fetch(client, first["storage_url"])).content == MP3

    csv = (
        "audio_filename,text,level,type,tags\n"
        f'audio1.mp3,"What is your name?",A1,question,"Present Tense,{tag}"\n'
        f'audio2.wav,"My name is John.",A1,answer,"{tag}"\n'
        'audio3.m4a,"Where do you live?",B1,,\n'
    )
    imported = await import_csv(client, headers, batch, csv)
    assert imported.status_code == 200, imported.text
    result = imported.json()
    assert result["success_count"] == 3 and result["error_count"] == 0 and result["errors"] == []
    assert [(c["row"], c["text"]) for c in result["created_speeches"]] == [
        (1, "What is your name?"),
        (2, "My name is John."),
        (3, "Where do you live?"),
    ]

    speech_id = result["created_speeches"][1]["speech_id"]
    speech = (await client.get(f"/api/v1/admin/speeches/{speech_id}", headers=headers)).json()
    assert re.fullmatch(r"audio/A1/[0-9a-f-]{36}/audio2\.wav", speech["audio_key"])
    assert [t["name"] for t in speech["tags"]] == [tag]
    played = await fetch(client, speech["audio_url"])
    assert played.status_code == 200 and played.content == WAV
    assert played.headers["content-type"] == "audio/wav"
    assert (await fetch(client, first["storage_url"])).status_code == 404  # moved
    assert not await store.exists(first["storage_key"])

    tags = (await client.get("/api/v1/admin/tags", headers=headers)).json()["tags"]
    assert {t["name"]: t["speech_count"] for t in tags}[tag] == 2
    audit = await client.get(
        "/api/v1/admin/audit", params={"entity_id": speech_id}, headers=headers
    )
    assert [e["action"] for e in audit.json()["entries"]] == ["create"]
    # The batch is used up.
    assert_error(await import_csv(client, headers, batch, csv), 404, "NotFound")


async def test_an_uploads_storage_url_makes_a_speech_that_outlives_its_batch(admin, store):
    client, headers = admin
    uploaded = (await upload(client, headers, ("new.mp3", MP3))).json()["uploaded_files"][0]
    created = await client.post(
        "/api/v1/admin/speeches",
        json={
            "audio_url": uploaded["storage_url"],
            "text": "How are you today?",
            "level": "A2",
            "type": "question",
            "tag_ids": [],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    speech = created.json()
    assert speech["audio_key"] == f"audio/A2/{speech['id']}/new.mp3"
    # The batch goes (imported or expired) with its files; the speech's audio stays.
    await store.delete(uploaded["storage_key"])
    played = await fetch(client, speech["audio_url"])
    assert played.status_code == 200 and played.content == MP3
    assert played.headers["content-type"] == "audio/mpeg"


async def test_a_speech_refused_keeps_no_copy_of_its_upload(container, store):
    failing = FailingCopies(store, allowed=1)
    async with client_with(container, blobs=failing) as client:
        headers = await admin_headers(client, container)
        uploaded = (await upload(client, headers, ("lost.mp3", MP3))).json()["uploaded_files"]
        refused = await client.post(
            "/api/v1/admin/speeches",
            json={
                "audio_url": uploaded[0]["storage_url"],
                "text": "Never saved",
                "level": "A1",
                "tag_ids": [str(uuid.uuid4())],
            },
            headers=headers,
        )
        assert_error(refused, 404, "NotFound")
        assert len(failing.copied) == 1 and not await store.exists(failing.copied[0])


async def test_duplicate_names_get_suffixes_across_requests(admin):
    client, headers = admin
    first = (await upload(client, headers, ("q.mp3", MP3), ("q.mp3", MP3))).json()
    batch = first["upload_session_id"]
    more = (await upload(client, headers, ("q.mp3", WAV), batch=batch)).json()
    assert more["upload_session_id"] == batch
    names = [f["stored_filename"] for f in first["uploaded_files"] + more["uploaded_files"]]
    assert names == ["q.mp3", "q_1.mp3", "q_2.mp3"]
    assert {f["original_filename"] for f in more["uploaded_files"]} == {"q.mp3"}
    assert more["uploaded_files"][0]["storage_url"] != first["uploaded_files"][0]["storage_url"]


def uploads(store) -> set[str]:
    """The uploads the local store holds (MinIO's bucket is listed by no port)."""
    if not isinstance(store, LocalBlobStore):
        return set()
    return {str(p) for p in (store._root / "uploads").rglob("*") if p.is_file()}


async def test_invalid_and_oversize_files_are_refused_and_nothing_is_stored(admin, store):
    client, headers = admin
    before = uploads(store)
    invalid = assert_error(
        await upload(client, headers, ("ok.mp3", MP3), ("fake.mp3", b"<html>not audio</html>")),
        400,
        "ValidationError",
    )
    assert invalid["details"]["filename"] == "fake.mp3"
    large = assert_error(
        await upload(
            client, headers, ("big.wav", b"RIFF\0\0\0\0WAVE" + bytes(MAX_IMPORT_AUDIO_BYTES))
        ),
        413,
        "PayloadTooLarge",
    )
    assert large["details"]["filename"] == "big.wav"
    assert_error(await upload(client, headers), 400, "ValidationError")
    assert_error(
        await upload(client, headers, ("a.mp3", MP3), batch=str(uuid.uuid4())), 404, "NotFound"
    )
    assert uploads(store) == before


@pytest.mark.parametrize(
    "csv",
    [
        "",
        "audio_filename,text\nq.mp3,Hi\n",
        'audio_filename,text,level\nq.mp3,"Hi,A1\n',
        "audio_filename,text,level\n",
    ],
    ids=["empty", "missing column", "open quote", "no rows"],
)
async def test_a_structurally_invalid_csv_is_400(admin, csv):
    client, headers = admin
    batch = (await upload(client, headers, ("q.mp3", MP3))).json()["upload_session_id"]
    assert_error(await import_csv(client, headers, batch, csv), 400, "ValidationError")


async def test_row_errors_are_422_with_every_error_listed_and_nothing_created(admin):
    client, headers = admin
    batch = (await upload(client, headers, ("a.mp3", MP3), ("b.mp3", MP3))).json()
    text = f"Valid row {uuid.uuid4().hex[:6]}"
    csv = (
        "audio_filename,text,level,type,tags\n"
        f"a.mp3,{text},A1,answer,\n"
        "missing.mp3,Where?,A1,question,\n"
        "b.mp3,Hi,D1,,\n"
    )
    response = await import_csv(client, headers, batch["upload_session_id"], csv)
    assert response.status_code == 422
    refused = response.json()  # the error body and 004's fields (see below)
    assert refused["error"] == "UnprocessableEntity"
    assert refused["details"] == {
        "success_count": 0,
        "error_count": 2,
        "errors": [
            {"row": 2, "error": "Audio file 'missing.mp3' not found in upload session"},
            {"row": 3, "error": "Invalid level 'D1'. Must be one of: A1, A2, B1, B2, C1"},
        ],
    }
    listed = await client.get("/api/v1/admin/speeches", params={"search": text}, headers=headers)
    assert listed.json()["pagination"]["total"] == 0
    assert_error(await import_csv(client, headers, str(uuid.uuid4()), csv), 404, "NotFound")


async def test_004s_client_finds_the_row_errors_where_its_answer_has_them(admin):
    client, headers = admin
    batch = (await upload(client, headers, ("sentence_001.mp3", MP3))).json()
    csv = (
        "audio_filename,text,level,type,tags\n"
        'sentence_001.mp3,"What is your name?",A1,question,"Present Tense,Basics"\n'
        'missing.mp3,"My name is John.",A1,answer,"Present Tense,Basics"\n'
    )
    refused = await import_csv(client, headers, batch["upload_session_id"], csv)
    assert refused.status_code == 422
    body = refused.json()
    assert body["success_count"] == 0 and body["error_count"] == 1
    assert body["created_speeches"] == []
    assert body["errors"] == [
        {"row": 2, "error": "Audio file 'missing.mp3' not found in upload session"}
    ]
    assert body["error"] == "UnprocessableEntity" and body["details"]["errors"] == body["errors"]
    assert body["request_id"] == refused.headers["x-request-id"] and body["timestamp"]


async def test_an_import_failing_half_way_leaves_nothing_behind(container, store):
    failing = FailingCopies(store, allowed=1)
    async with client_with(container, blobs=failing) as client:
        headers = await admin_headers(client, container)
        body = (await upload(client, headers, ("a.mp3", MP3), ("b.wav", WAV))).json()
        batch = body["upload_session_id"]
        text = f"Half way {uuid.uuid4().hex[:6]}"
        csv = f"audio_filename,text,level,tags\na.mp3,{text} one,A1,New {text}\nb.wav,{text},A2,\n"

        assert_error(await import_csv(client, headers, batch, csv), 503, "ServiceUnavailable")

        listed = await client.get(
            "/api/v1/admin/speeches", params={"search": text}, headers=headers
        )
        assert listed.json()["pagination"]["total"] == 0
        tags = (await client.get("/api/v1/admin/tags", headers=headers)).json()["tags"]
        assert f"New {text}" not in {t["name"] for t in tags}
        assert len(failing.copied) == 1
        assert not await store.exists(failing.copied[0])
        assert await store.exists(f"uploads/{batch}/a.mp3")

        failing.allowed = 2
        again = await import_csv(client, headers, batch, csv)
        assert again.status_code == 200 and again.json()["success_count"] == 2


async def test_progress_is_streamed_when_asked_for(admin):
    client, headers = admin
    names = [(f"s{n:03}.mp3", MP3) for n in range(150)]
    batch = (await upload(client, headers, *names)).json()["upload_session_id"]
    csv = "audio_filename,text,level\n" + "".join(
        f"s{n:03}.mp3,Streamed sentence {n},A2\n" for n in range(150)
    )
    response = await import_csv(client, headers, batch, csv, accept="application/x-ndjson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "content-encoding" not in response.headers  # line by line, never gzipped
    lines = [json.loads(line) for line in response.text.splitlines()]
    progress = [line["progress"] for line in lines[:-1]]
    assert progress[0] == {"done": 1, "total": 150} and progress[-1] == {"done": 150, "total": 150}
    assert len(progress) <= 150 and all(
        a["done"] < b["done"] for a, b in zip(progress, progress[1:], strict=False)
    )
    assert lines[-1]["result"]["success_count"] == 150


async def test_students_are_forbidden(client):
    learner = await sign_up(client)
    assert_error(await upload(client, learner["headers"], ("a.mp3", MP3)), 403, "Forbidden")
    assert_error(
        await import_csv(client, learner["headers"], str(uuid.uuid4()), "a"), 403, "Forbidden"
    )
