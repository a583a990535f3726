"""Serves local-store blobs behind signed, expiring URLs (S3-compatible stores serve their own)."""

from fastapi import APIRouter, Response

from adapters.blobs.local import BLOB_ROUTE, LocalBlobStore
from domain.errors import NotFound


def blob_router(store: LocalBlobStore) -> APIRouter:
    router = APIRouter(tags=["content"])

    @router.get(BLOB_ROUTE + "/{key:path}", include_in_schema=False)
    async def get_blob(key: str, expires: int = 0, signature: str = "") -> Response:
        store.check_signature(key, expires, signature)
        if not await store.exists(key):
            raise NotFound("Blob not found")
        blob = await store.get(key)
        return Response(
            blob.data,
            media_type=blob.content_type,
            headers={"Cache-Control": "private, max-age=3600"},
        )

    return router
