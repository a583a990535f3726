"""Serves local-store blobs behind signed, expiring URLs (S3-compatible stores serve their own).

A blob is served with the type it was stored with, never one guessed from its name, and
under a policy that keeps it from running anything on the API's origin: a learner's upload
named "evil.html" is text to download, not a page."""

from urllib.parse import quote

from fastapi import APIRouter, Response

from adapters.blobs.local import BLOB_ROUTE, LocalBlobStore

# Shown in the browser only where nothing in the file can run: recordings and raster images
# (<audio> and <img> ignore Content-Disposition, so these play and show either way).
_INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# Even a file that a browser renders gets no script, no requests and an opaque origin.
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def _disposition(key: str, content_type: str) -> str:
    inline = content_type.startswith("audio/") or content_type in _INLINE_TYPES
    name = quote(key.rsplit("/", 1)[-1], safe="")
    return f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{name}"


def blob_router(store: LocalBlobStore) -> APIRouter:
    router = APIRouter(tags=["content"])

    @router.get(BLOB_ROUTE + "/{key:path}", include_in_schema=False)
    async def get_blob(key: str, expires: int = 0, signature: str = "") -> Response:
        store.check_signature(key, expires, signature)
        blob = await store.get(key)
        return Response(
            blob.data,
            media_type=blob.content_type,
            headers={
                "Cache-Control": "private, max-age=3600",
                "Content-Disposition": _disposition(key, blob.content_type),
                "Content-Security-Policy": FILE_POLICY,
                "X-Content-Type-Options": "nosniff",
            },
        )

    return router
