"""Blob storage for audio and uploads."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol


@dataclass(frozen=True)
class Blob:
    key: str
    data: bytes
    content_type: str
    """The type the blob was stored with, never one guessed from the key."""


class BlobStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Stores the blob with its `content_type` (the one the caller checked the data
        against), which is the type it is served with."""

    async def get(self, key: str) -> Blob:
        """Raises domain.errors.NotFound for an unknown key."""

    async def exists(self, key: str) -> bool: ...

    async def copy(self, source: str, destination: str) -> None:
        """Stores at `destination` the blob at `source` with its content type, without
        passing its bytes through this process where the store can copy by itself;
        NotFound for an unknown source."""

    async def delete(self, key: str) -> None:
        """Deleting an unknown key is not an error. A signed URL of a deleted blob serves
        nothing (404)."""

    def signed_url(self, key: str, expires_in: timedelta) -> str:
        """An absolute URL that serves the blob until `expires_in` has passed."""

    def key_of(self, url: str) -> str | None:
        """The key of a blob of this store that `url` names: a URL `signed_url` gave, even
        one expired or with a signature altered (the key is what it names), or the key
        itself; None when `url` names no blob of this store (another host, another bucket, a
        key no store accepts). Whether the blob exists is not checked."""
