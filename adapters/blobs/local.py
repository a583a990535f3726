"""Blobs as files under one directory, served by the Gateway through signed URLs.

A signed URL carries its expiry and an HMAC-SHA256 of key and expiry, so any replica that
shares the secret can check it without a lookup. Each blob's content type is kept beside it
in a hidden file (".<name>.type"): names starting with a dot belong to the store, never to a
key."""

import asyncio
import hashlib
import hmac
import mimetypes
import os
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from adapters.blobs.keys import key_in_link, key_parts
from domain.errors import Forbidden, NotFound
from ports.blobs import Blob

# The Gateway route that serves local blobs; the HTTP adapter mounts it at this path.
BLOB_ROUTE = "/api/v1/blobs"


def _type_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.type")


def _unrecorded_type(path: Path) -> str:
    """The type of a blob stored before types were kept: the demo catalog's audio by its
    name, anything else as bytes to download (a name chosen by a user proves nothing)."""
    guessed = mimetypes.guess_type(path.name)[0] or ""
    return guessed if guessed.startswith("audio/") else "application/octet-stream"


def _new_file(directory: Path) -> tuple[int, str]:
    """A temporary file in `directory`, which is made again if a delete pruned it between
    the mkdir and the file's creation."""
    while True:
        directory.mkdir(parents=True, exist_ok=True)
        try:
            return tempfile.mkstemp(dir=directory, prefix=".upload-")
        except FileNotFoundError:
            continue


class LocalBlobStore:
    def __init__(self, root: Path, public_base_url: str, signing_key: bytes) -> None:
        self._root = root.resolve()
        self._root.mkdir(parents=True, exist_ok=True)
        self._base_url = public_base_url.rstrip("/")
        self._signing_key = signing_key

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*key_parts(key))

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(self._write, _type_path(path), content_type.encode())
        await asyncio.to_thread(self._write, path, data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        # Write then rename, so a reader never sees half a file.
        fd, tmp = _new_file(path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    async def get(self, key: str) -> Blob:
        path = self._path(key)
        return await asyncio.to_thread(self._read, key, path)

    @staticmethod
    def _read(key: str, path: Path) -> Blob:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise NotFound("Blob not found") from None
        try:
            content_type = _type_path(path).read_text()
        except FileNotFoundError:
            content_type = _unrecorded_type(path)
        return Blob(key=key, data=data, content_type=content_type)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def copy(self, source: str, destination: str) -> None:
        await asyncio.to_thread(self._copy, self._path(source), self._path(destination))

    def _copy(self, source: Path, destination: Path) -> None:
        try:
            content_type = _type_path(source).read_text()
        except FileNotFoundError:
            content_type = _unrecorded_type(source)
        self._write(_type_path(destination), content_type.encode())
        fd, tmp = _new_file(destination.parent)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as data:
                shutil.copyfileobj(data, out)
            os.replace(tmp, destination)
        except (FileNotFoundError, IsADirectoryError):
            os.unlink(tmp)
            self._remove(destination)
            raise NotFound("Blob not found") from None
        except BaseException:
            os.unlink(tmp)
            raise

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._remove, self._path(key))

    def _remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        _type_path(path).unlink(missing_ok=True)
        # Directories emptied by the delete go too (an upload's own directory, then its
        # conversation's), so deleted uploads leave nothing behind.
        for directory in path.parents:
            if directory == self._root:
                break
            try:
                directory.rmdir()
            except OSError:  # not empty
                break

    def signed_url(self, key: str, expires_in: timedelta) -> str:
        key_parts(key)
        expires = int(time.time() + expires_in.total_seconds())
        # An integer and a hex digest need no query encoding (a list of speeches signs ten).
        query = f"expires={expires}&signature={self._sign(key, expires)}"
        return f"{self._base_url}{BLOB_ROUTE}/{quote(key)}?{query}"

    def key_of(self, url: str) -> str | None:
        return key_in_link(url, f"{self._base_url}{BLOB_ROUTE}/")

    def check_signature(self, key: str, expires: int, signature: str) -> None:
        """Raises Forbidden unless the URL was signed here and has not expired."""
        if not hmac.compare_digest(self._sign(key, expires), signature):
            raise Forbidden("Invalid signature")
        if expires < time.time():
            raise Forbidden("This link has expired")

    def _sign(self, key: str, expires: int) -> str:
        message = f"{key}\n{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()
