"""S3-only behaviour against moto: pagination, the signed headers of presigned PUTs, and failures.

moto does not verify signatures, so the presigned PUT is checked for what it signs (Content-Type and
Content-Length in X-Amz-SignedHeaders), which real S3 then enforces.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from app.core.storage import StorageUnavailable
from app.storage.s3 import S3Storage
from tests.support.moto import free_port


async def test_list_keys_follows_pagination(moto_endpoint: str, s3_storage: S3Storage, prefix: str) -> None:
    small_pages = S3Storage(s3_storage.bucket, moto_endpoint, "us-east-1", "test", "test", True, list_page_size=2)
    try:
        keys = [f"{prefix}{i:02d}.png" for i in range(7)]
        for key in keys:
            await small_pages.put(key, b"x", "image/png")
        assert await small_pages.list_keys(prefix) == keys
    finally:
        await small_pages.close()


async def test_presigned_put_signs_type_and_length(s3_storage: S3Storage, prefix: str) -> None:
    upload = await s3_storage.upload_url(prefix + "in.jpg", "image/jpeg", 1234, 300)
    query = parse_qs(urlsplit(upload.url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert set(query["X-Amz-SignedHeaders"][0].split(";")) >= {"content-type", "content-length", "host"}
    assert query["X-Amz-Expires"] == ["300"]
    assert upload.headers == {"Content-Type": "image/jpeg", "Content-Length": "1234"}
    assert urlsplit(upload.url).path == f"/{s3_storage.bucket}/{prefix}in.jpg"  # path-style addressing


async def test_ping_and_missing_bucket(moto_endpoint: str, s3_storage: S3Storage) -> None:
    await s3_storage.ping()
    missing = S3Storage("no-such-bucket", moto_endpoint, "us-east-1", "test", "test", True)
    try:
        with pytest.raises(StorageUnavailable):
            await missing.ping()
    finally:
        await missing.close()


async def test_unreachable_endpoint_is_storage_unavailable() -> None:
    dead = S3Storage("b", f"http://127.0.0.1:{free_port()}", "us-east-1", "test", "test", True, max_attempts=1)
    try:
        with pytest.raises(StorageUnavailable):
            await dead.ping()
        with pytest.raises(StorageUnavailable):
            await dead.get("a.png")
        with pytest.raises(StorageUnavailable):
            await dead.put("a.png", b"x", "image/png")
    finally:
        await dead.close()
