"""Blobs as objects in one bucket of MinIO (or any S3-compatible store), through the `minio`
SDK; clients fetch them from the store itself with presigned GET URLs, so every Gateway
replica, on any machine, serves the same audio.

The SDK is blocking (urllib3): each call runs in a worker thread."""

import asyncio
import io
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from minio import Minio
from minio.commonconfig import CopySource
from minio.error import InvalidResponseError, S3Error
from urllib3.exceptions import HTTPError

from adapters.blobs.keys import key_in_link, key_parts
from domain.errors import NotFound, ServiceUnavailable
from ports.blobs import Blob

# Presigning is computed locally; a region given up front spares the SDK a round trip to
# ask the store for it (and lets a signer point at a host this process cannot reach).
DEFAULT_REGION = "us-east-1"
_MISSING = {"NoSuchKey", "NoSuchObject", "NotFound"}


class MinioBlobStore:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        public_endpoint: str | None = None,
        public_secure: bool | None = None,
        region: str = DEFAULT_REGION,
    ) -> None:
        """Creates the bucket when it is missing. `public_endpoint` is the host clients
        reach the store at, when it differs from the one this process uses (a container
        network's `minio:9000` against a browser's `localhost:9000`)."""
        self._bucket = bucket
        self._client = Minio(endpoint, access_key, secret_key, secure=secure, region=region)
        self._signer = (
            Minio(
                public_endpoint,
                access_key,
                secret_key,
                secure=secure if public_secure is None else public_secure,
                region=region,
            )
            if public_endpoint
            else self._client
        )
        self._link_prefix = self._link_prefix_of(self._signer, bucket)
        try:
            if not self._client.bucket_exists(bucket):
                self._client.make_bucket(bucket)
        except S3Error as error:
            if error.code != "BucketAlreadyOwnedByYou":  # another replica made it meanwhile
                raise

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        key_parts(key)
        await self._call(
            self._client.put_object,
            self._bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=content_type,
        )

    async def get(self, key: str) -> Blob:
        key_parts(key)
        return await self._call(self._read, key)

    def _read(self, key: str) -> Blob:
        response = self._client.get_object(self._bucket, key)
        try:
            content_type = response.headers.get("Content-Type", "application/octet-stream")
            return Blob(key=key, data=response.read(), content_type=content_type)
        finally:
            response.close()
            response.release_conn()

    async def exists(self, key: str) -> bool:
        key_parts(key)
        try:
            await self._call(self._client.stat_object, self._bucket, key)
        except NotFound:
            return False
        return True

    async def copy(self, source: str, destination: str) -> None:
        key_parts(source)
        key_parts(destination)
        # Server side: the bytes never leave the store, and the content type comes along.
        await self._call(
            self._client.copy_object, self._bucket, destination, CopySource(self._bucket, source)
        )

    async def delete(self, key: str) -> None:
        key_parts(key)
        await self._call(self._client.remove_object, self._bucket, key)

    def signed_url(self, key: str, expires_in: timedelta) -> str:
        key_parts(key)
        return self._signer.presigned_get_object(self._bucket, key, expires=expires_in)

    def key_of(self, url: str) -> str | None:
        return key_in_link(url, self._link_prefix)

    @staticmethod
    def _link_prefix_of(signer: Minio, bucket: str) -> str:
        """What the signer's URLs put before a key: `http://host/bucket/` in path style,
        `https://bucket.host/` in virtual-host style, as the SDK chooses per endpoint."""
        parts = urlsplit(signer.presigned_get_object(bucket, "k", expires=timedelta(minutes=1)))
        return urlunsplit((parts.scheme, parts.netloc, parts.path.removesuffix("k"), "", ""))

    @staticmethod
    async def _call(function, *args, **kwargs):  # type: ignore[no-untyped-def]
        """`function` in a worker thread; a missing object becomes NotFound, an unreachable
        store ServiceUnavailable."""
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except S3Error as error:
            if error.code in _MISSING:
                raise NotFound("Blob not found") from None
            raise
        except InvalidResponseError as error:
            # An error body the SDK does not parse (rclone sends its XML as text/xml): the
            # status is all it keeps, in a field its pickling support relies on.
            if getattr(error, "_code", None) == 404:
                raise NotFound("Blob not found") from None
            raise
        except (HTTPError, OSError) as error:
            raise ServiceUnavailable("The blob store is unavailable; try again") from error
