"""Contract of BlobStore, run against the local filesystem store and the MinIO store (on a
real S3-compatible server started for the session)."""

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from minio import Minio
from pydantic import ValidationError

from adapters.blobs.local import BLOB_ROUTE, LocalBlobStore
from adapters.blobs.s3 import DEFAULT_REGION, MinioBlobStore
from deployments.providers import build_blob_store
from deployments.settings import Settings
from domain.errors import Forbidden, InvalidInput, NotFound
from ports.blobs import BlobStore
from tests.support.blobs import minio_store


@pytest.fixture(params=["local", "minio"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "local":
        yield LocalBlobStore(tmp_path / "blobs", "http://parla.test", b"k" * 32)
    else:
        yield minio_store(request.getfixturevalue("s3"))


@pytest.fixture
def neighbour(store: BlobStore, request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """A store of the same kind elsewhere: another host, or another bucket of the server."""
    if isinstance(store, LocalBlobStore):
        return LocalBlobStore(tmp_path / "elsewhere", "http://elsewhere.test", b"k" * 32)
    return minio_store(request.getfixturevalue("s3"))


async def test_put_get_exists_delete(store):
    await store.put("audio/A1/one.mp3", b"ID3 bytes", "audio/mpeg")
    assert await store.exists("audio/A1/one.mp3")
    blob = await store.get("audio/A1/one.mp3")
    assert blob.data == b"ID3 bytes" and blob.content_type == "audio/mpeg"
    await store.put("audio/A1/one.mp3", b"replaced", "audio/mpeg")
    assert (await store.get("audio/A1/one.mp3")).data == b"replaced"
    await store.delete("audio/A1/one.mp3")
    assert not await store.exists("audio/A1/one.mp3")
    await store.delete("audio/A1/one.mp3")


async def test_the_stored_type_is_kept_whatever_the_name(store):
    await store.put("uploads/evil.html", b"<script></script>", "text/plain")
    assert (await store.get("uploads/evil.html")).content_type == "text/plain"
    await store.delete("uploads/evil.html")
    with pytest.raises(NotFound):
        await store.get("uploads/evil.html")


async def test_unknown_key_is_not_found(store):
    with pytest.raises(NotFound):
        await store.get("audio/none.mp3")


@pytest.mark.parametrize(
    "key", ["../escape.mp3", "/etc/passwd", "a/../../b", "a//b", "", "a/.b.mp3.type"]
)
async def test_keys_cannot_leave_the_store(store, key):
    with pytest.raises(InvalidInput):
        await store.put(key, b"x", "audio/mpeg")


async def test_local_signed_url_names_the_key_and_expires(tmp_path):
    store = LocalBlobStore(tmp_path, "http://parla.test", b"k" * 32)
    url = urlsplit(store.signed_url("audio/A1/one two.mp3", timedelta(hours=1)))
    assert unquote(url.path) == f"{BLOB_ROUTE}/audio/A1/one two.mp3"
    assert url.scheme == "http" and url.netloc == "parla.test"
    expires = int(parse_qs(url.query)["expires"][0])
    assert 3595 <= expires - time.time() <= 3600


def test_local_signatures_are_checked(tmp_path):
    store = LocalBlobStore(tmp_path, "http://parla.test", b"k" * 32)
    query = parse_qs(urlsplit(store.signed_url("a.mp3", timedelta(minutes=1))).query)
    expires, signature = int(query["expires"][0]), query["signature"][0]
    store.check_signature("a.mp3", expires, signature)
    with pytest.raises(Forbidden):
        store.check_signature("b.mp3", expires, signature)
    with pytest.raises(Forbidden):
        store.check_signature("a.mp3", expires + 1, signature)
    other = LocalBlobStore(tmp_path, "http://parla.test", b"j" * 32)
    with pytest.raises(Forbidden):
        other.check_signature("a.mp3", expires, signature)
    expired = parse_qs(urlsplit(store.signed_url("a.mp3", timedelta(seconds=-5))).query)
    with pytest.raises(Forbidden):
        store.check_signature("a.mp3", int(expired["expires"][0]), expired["signature"][0])


async def test_deleting_leaves_no_file_or_directory_behind(tmp_path):
    store = LocalBlobStore(tmp_path, "http://parla.test", b"k" * 32)
    await store.put("conversations/c/m/a.txt", b"a", "text/plain")
    await store.put("conversations/c/n/b.txt", b"b", "text/plain")
    await store.delete("conversations/c/m/a.txt")
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert left == ["conversations", "conversations/c", "conversations/c/n"] + [
        "conversations/c/n/.b.txt.type",
        "conversations/c/n/b.txt",
    ]
    await store.delete("conversations/c/n/b.txt")
    assert list(tmp_path.iterdir()) == []


async def test_minio_presigned_urls_serve_the_stored_type_for_an_hour(s3):
    store = minio_store(s3)
    await store.put("uploads/evil.html", b"<script></script>", "text/plain")
    url = store.signed_url("uploads/evil.html", timedelta(hours=1))
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["3600"]
    async with httpx.AsyncClient() as client:
        served = await client.get(url)
        assert served.status_code == 200 and served.content == b"<script></script>"
        assert served.headers["content-type"] == "text/plain"
        tampered = url.replace(query["X-Amz-Signature"][0], "0" * 64)
        assert (await client.get(tampered)).status_code == 403
        await store.delete("uploads/evil.html")
        assert (await client.get(url)).status_code == 404


async def test_minio_creates_its_bucket_once(s3):
    bucket = f"parla-{uuid.uuid4().hex[:12]}"
    first = minio_store(s3, bucket)
    await first.put("a.mp3", b"ID3", "audio/mpeg")
    second = minio_store(s3, bucket)
    assert (await second.get("a.mp3")).data == b"ID3"


@pytest.mark.parametrize(
    "env",
    [
        {
            "MINIO_ENDPOINT": "{endpoint}",
            "MINIO_ACCESS_KEY": "{access}",
            "MINIO_SECRET_KEY": "{secret}",
            "MINIO_BUCKET": "{bucket}",
            "MINIO_SECURE": "false",
        },
        {
            "S3_ENDPOINT_URL": "http://{endpoint}",
            "S3_ACCESS_KEY": "{access}",
            "S3_SECRET_KEY": "{secret}",
            "S3_BUCKET_NAME": "{bucket}",
        },
    ],
    ids=["MINIO_*", "S3_*"],
)
async def test_settings_choose_the_minio_store(s3, monkeypatch, tmp_path, env):
    bucket = f"parla-{uuid.uuid4().hex[:12]}"
    values = {"endpoint": s3.endpoint, "access": s3.access_key, "secret": s3.secret_key}
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(bucket=bucket, **values))
    store = build_blob_store(Settings(_env_file=None, var_dir=tmp_path), b"k" * 32)
    assert isinstance(store, MinioBlobStore)
    await store.put("audio/A1/a.mp3", b"ID3", "audio/mpeg")
    assert (await minio_store(s3, bucket).get("audio/A1/a.mp3")).data == b"ID3"
    assert urlsplit(store.signed_url("audio/A1/a.mp3", timedelta(hours=1))).netloc == s3.endpoint


def test_the_local_store_stays_the_default(tmp_path):
    store = build_blob_store(Settings(_env_file=None, var_dir=tmp_path), b"k" * 32)
    assert isinstance(store, LocalBlobStore)


@pytest.mark.parametrize(
    "values",
    [
        {"minio_endpoint": "127.0.0.1:9000"},
        {"minio_endpoint": "127.0.0.1:9000", "minio_access_key": "a"},
        {"s3_endpoint_url": "minio:9000", "minio_access_key": "a", "minio_secret_key": "b"},
    ],
)
def test_an_incomplete_minio_setting_stops_start_up(values):
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **values)


async def test_a_copy_keeps_the_type_and_leaves_the_source(store):
    await store.put("uploads/b/one.mp3", b"ID3 bytes", "audio/mpeg")
    await store.copy("uploads/b/one.mp3", "audio/A1/b/one.mp3")
    copied = await store.get("audio/A1/b/one.mp3")
    assert copied.data == b"ID3 bytes" and copied.content_type == "audio/mpeg"
    assert (await store.get("uploads/b/one.mp3")).data == b"ID3 bytes"
    with pytest.raises(NotFound):
        await store.copy("uploads/b/none.mp3", "audio/A1/b/none.mp3")
    assert not await store.exists("audio/A1/b/none.mp3")
    with pytest.raises(InvalidInput):
        await store.copy("uploads/b/one.mp3", "../one.mp3")


@pytest.mark.parametrize("key", ["audio/A1/one.mp3", "uploads/b/one two ü?#%.mp3"])
def test_a_link_names_its_key_whatever_its_signature(store, key):
    # Nothing is stored: whether the blob exists is the caller's question.
    link = store.signed_url(key, timedelta(hours=1))
    unsigned = link.split("?")[0] + "?signature=0"
    for url in (link, unsigned, key):
        assert store.key_of(url) == key


def test_an_expired_link_still_names_its_key(tmp_path, s3):
    local = LocalBlobStore(tmp_path, "http://parla.test", b"k" * 32)
    assert local.key_of(local.signed_url("audio/a.mp3", timedelta(seconds=-5))) == "audio/a.mp3"
    store = minio_store(s3, "parla-expired")
    signer = Minio(s3.endpoint, s3.access_key, s3.secret_key, secure=False, region=DEFAULT_REGION)
    expired = signer.presigned_get_object(
        "parla-expired",
        "audio/a.mp3",
        expires=timedelta(seconds=1),
        request_date=datetime.now(UTC) - timedelta(hours=2),
    )
    assert store.key_of(expired) == "audio/a.mp3"


def test_a_link_elsewhere_names_no_key(store, neighbour):
    hour = timedelta(hours=1)
    link = store.signed_url("audio/A1/one.mp3", hour)
    for url in [
        neighbour.signed_url("audio/A1/one.mp3", hour),
        "https://storage.example.com/audio/new.mp3",
        link.split("audio/A1/one.mp3")[0],
        link.replace("audio/A1/one.mp3", "audio/../one.mp3"),
        "../etc/passwd",
        "/audio/A1/one.mp3",
        "a//b",
        "",
    ]:
        assert store.key_of(url) is None, url
