"""Blob stores for tests: the MinIO store on a test S3 server, and one that fails half-way."""

import uuid
from datetime import timedelta

from adapters.blobs.s3 import MinioBlobStore
from domain.errors import ServiceUnavailable
from ports.blobs import Blob, BlobStore
from tests.support.s3_server import S3Server


def minio_store(server: S3Server, bucket: str | None = None) -> MinioBlobStore:
    """The MinIO store on `server`, in a bucket of its own unless one is named."""
    bucket = bucket or f"parla-{uuid.uuid4().hex[:12]}"
    return MinioBlobStore(server.endpoint, server.access_key, server.secret_key, bucket)


class FailingCopies:
    """`store`, but copies fail after `allowed` of them, as a store going down does;
    `copied` names the copies made."""

    def __init__(self, store: BlobStore, allowed: int) -> None:
        self.store = store
        self.allowed = allowed
        self.copied: list[str] = []

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await self.store.put(key, data, content_type)

    async def get(self, key: str) -> Blob:
        return await self.store.get(key)

    async def exists(self, key: str) -> bool:
        return await self.store.exists(key)

    async def copy(self, source: str, destination: str) -> None:
        if self.allowed == 0:
            raise ServiceUnavailable("The blob store is unavailable; try again")
        self.allowed -= 1
        await self.store.copy(source, destination)
        self.copied.append(destination)

    async def delete(self, key: str) -> None:
        await self.store.delete(key)

    def signed_url(self, key: str, expires_in: timedelta) -> str:
        return self.store.signed_url(key, expires_in)

    def key_of(self, url: str) -> str | None:
        return self.store.key_of(url)
