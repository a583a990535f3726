"""Contract of BlobStore, run against the local filesystem store."""

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from adapters.blobs.local import BLOB_ROUTE, LocalBlobStore
from domain.errors import Forbidden, InvalidInput, NotFound
from ports.blobs import BlobStore


@pytest.fixture(params=["local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    yield LocalBlobStore(tmp_path / "blobs", "http://parla.test", b"k" * 32)


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


async def test_signed_url_names_the_key_and_expires(store):
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
