"""Objects in S3 (or any S3-compatible store) through one long-lived aioboto3 client (distributed mode).

Kept thin on purpose: moto, the test double, does not verify signatures or content types, so every line
here that tests cannot really check is a plain call of the SDK. Presigned URLs use SigV4; the upload URL
signs Content-Type and Content-Length, so S3 itself refuses other types or sizes.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.core.storage import ObjectNotFound, SignedUpload, StorageUnavailable
from app.storage.errors import UploadTooLarge
from app.storage.names import (
    content_disposition,
    validate_content_type,
    validate_filename,
    validate_key,
    validate_prefix,
)
from app.storage.url_cache import SignedUrlCache

_MISSING = {"404", "NoSuchKey", "NotFound"}


def _is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in _MISSING


class S3Storage:
    """The ``Storage`` interface on one bucket. The client starts on first use or on ``start()``."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        path_style: bool,
        *,
        max_upload_bytes: int | None = None,
        list_page_size: int = 1000,
        max_attempts: int = 3,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 30.0,
        public_endpoint_url: str | None = None,
    ) -> None:
        self.bucket = bucket
        # clients may reach the store under another address than the servers (a proxy, a public hostname);
        # SigV4 signs the host, so their URLs are signed for that address by a second, offline-only client
        self._public_endpoint_url = public_endpoint_url or None
        self.max_upload_bytes = max_upload_bytes
        self._page_size = list_page_size
        self._endpoint_url = endpoint_url or None
        self._region = region
        self._access_key_id = access_key_id or None
        self._secret_access_key = secret_access_key or None
        self._config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout_s,
            read_timeout=read_timeout_s,
        )
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        self._signer: Any = None
        self._lock = asyncio.Lock()
        self._urls = SignedUrlCache()

    # lifecycle -------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the client (idempotent); ``close()`` releases it."""
        async with self._lock:
            if self._client is not None:
                return
            stack = AsyncExitStack()
            session = aioboto3.Session()

            async def client(endpoint_url: str | None) -> Any:
                return await stack.enter_async_context(
                    session.client(
                        "s3",
                        endpoint_url=endpoint_url,
                        region_name=self._region,
                        aws_access_key_id=self._access_key_id,
                        aws_secret_access_key=self._secret_access_key,
                        config=self._config,
                    )
                )

            self._client = await client(self._endpoint_url)
            self._signer = self._client
            if self._public_endpoint_url and self._public_endpoint_url != self._endpoint_url:
                self._signer = await client(self._public_endpoint_url)
            self._stack = stack

    async def close(self) -> None:
        async with self._lock:
            stack, self._stack, self._client, self._signer = self._stack, None, None, None
            if stack is not None:
                await stack.aclose()

    async def _s3(self) -> Any:
        if self._client is None:
            await self.start()
        return self._client

    async def _presigner(self) -> Any:
        """The client whose endpoint is the one clients use (signing is local: no request is made)."""
        await self._s3()
        return self._signer

    async def ensure_bucket(self) -> None:
        """Create the bucket when missing (development and tests; production buckets are provisioned)."""
        s3 = await self._s3()
        try:
            await s3.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if not _is_missing(exc):
                raise StorageUnavailable(f"bucket {self.bucket!r}: {exc}") from exc
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if self._region and self._region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
            await s3.create_bucket(**kwargs)

    async def ping(self) -> None:
        try:
            await (await self._s3()).head_bucket(Bucket=self.bucket)
        except (ClientError, BotoCoreError) as exc:
            raise StorageUnavailable(f"bucket {self.bucket!r} is unusable: {exc}") from exc

    # objects ---------------------------------------------------------------------------------------------
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        validate_key(key)
        validate_content_type(content_type)
        try:
            await (await self._s3()).put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        except (ClientError, BotoCoreError) as exc:
            raise StorageUnavailable(f"put {key!r}: {exc}") from exc
        self._urls.forget(key)  # a replaced object gets new URLs: caches refetch it

    async def get(self, key: str) -> bytes:
        validate_key(key)
        try:
            response = await (await self._s3()).get_object(Bucket=self.bucket, Key=key)
            async with response["Body"] as body:
                return await body.read()
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectNotFound(key) from None
            raise StorageUnavailable(f"get {key!r}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"get {key!r}: {exc}") from exc

    async def size(self, key: str) -> int | None:
        validate_key(key)
        try:
            response = await (await self._s3()).head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise StorageUnavailable(f"head {key!r}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"head {key!r}: {exc}") from exc
        return int(response["ContentLength"])

    async def modified_at(self, key: str) -> datetime | None:
        validate_key(key)
        try:
            response = await (await self._s3()).head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise StorageUnavailable(f"head {key!r}: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"head {key!r}: {exc}") from exc
        return response["LastModified"].astimezone(UTC)

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    async def delete(self, key: str) -> None:
        validate_key(key)
        self._urls.forget(key)
        try:
            await (await self._s3()).delete_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise StorageUnavailable(f"delete {key!r}: {exc}") from exc

    async def list_keys(self, prefix: str) -> list[str]:
        validate_prefix(prefix)
        keys: list[str] = []
        try:
            paginator = (await self._s3()).get_paginator("list_objects_v2")
            async for page in paginator.paginate(
                Bucket=self.bucket, Prefix=prefix, PaginationConfig={"PageSize": self._page_size}
            ):
                keys.extend(item["Key"] for item in page.get("Contents", ()))
        except (ClientError, BotoCoreError) as exc:
            raise StorageUnavailable(f"list {prefix!r}: {exc}") from exc
        return sorted(keys)

    # presigned URLs --------------------------------------------------------------------------------------
    async def upload_url(self, key: str, content_type: str, size_bytes: int, ttl_s: int) -> SignedUpload:
        """The client must send the returned headers: both are part of the signature."""
        validate_key(key)
        validate_content_type(content_type)
        if size_bytes <= 0:
            raise ValueError("size_bytes must be positive")
        if self.max_upload_bytes is not None and size_bytes > self.max_upload_bytes:
            raise UploadTooLarge(detail=f"uploads are limited to {self.max_upload_bytes} bytes")
        params = {"Bucket": self.bucket, "Key": key, "ContentType": content_type, "ContentLength": size_bytes}
        url = await (await self._presigner()).generate_presigned_url(
            "put_object", Params=params, ExpiresIn=ttl_s, HttpMethod="PUT"
        )
        return SignedUpload(
            url=url,
            method="PUT",
            headers={"Content-Type": content_type, "Content-Length": str(size_bytes)},
            expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s),
        )

    async def download_url(self, key: str, ttl_s: int, filename: str | None = None) -> str:
        """A presigned GET URL (the same one again while at least half of ``ttl_s`` is left: url_cache)."""
        cached = self._urls.get(key, ttl_s, filename)
        if cached is not None:
            return cached
        signed_at = time.time()
        validate_key(key)
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if filename is not None:
            validate_filename(filename)
            params["ResponseContentDisposition"] = content_disposition(filename)
        url = await (await self._presigner()).generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_s)
        self._urls.put(key, ttl_s, filename, url, signed_at + ttl_s)
        return url
