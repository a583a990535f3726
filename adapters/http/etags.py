"""HTTP caching of public responses: an ETag from the body, and 304 when the client has it."""

import hashlib

from fastapi import Request, Response, status

# Clients and shared caches may keep the body but ask again each time: an admin edit shows at
# once, and an unchanged body costs a 304 without it.
PUBLIC_REVALIDATED = "public, no-cache"
# The OpenAPI entry of a route answered by `public_json`.
NOT_MODIFIED: dict[int | str, dict] = {
    304: {"description": "Not modified: If-None-Match names the current ETag; no body."}
}


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison: `W/` is ignored, `*` matches any current body."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def public_json(request: Request, body: bytes) -> Response:
    """`body` (JSON) with its ETag, or 304 without it when If-None-Match names that ETag."""
    etag = _etag(body)
    headers = {"ETag": etag, "Cache-Control": PUBLIC_REVALIDATED}
    if _matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
