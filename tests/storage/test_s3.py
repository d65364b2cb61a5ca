"""S3-only behaviour against moto: pagination, the signed headers of presigned PUTs, and failures.

moto does not verify signatures, so the presigned PUT is checked for what it signs (Content-Type and
Content-Length in X-Amz-SignedHeaders), which real S3 then enforces.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
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


async def test_public_endpoint_signs_urls_for_the_clients_host(
    moto_endpoint: str, s3_storage: S3Storage, prefix: str
) -> None:
    """Servers talk to the internal endpoint; browsers get URLs signed for the public one (SigV4 signs the host)."""
    public = moto_endpoint.replace("127.0.0.1", "localhost")
    store = S3Storage(s3_storage.bucket, moto_endpoint, "us-east-1", "test", "test", True, public_endpoint_url=public)
    try:
        await store.put(prefix + "a.png", b"png bytes", "image/png")  # through the internal endpoint
        url = await store.download_url(prefix + "a.png", 60)
        upload = await store.upload_url(prefix + "b.png", "image/png", 3, 60)
        for signed in (url, upload.url):
            assert urlsplit(signed).netloc == urlsplit(public).netloc
            assert "host" in parse_qs(urlsplit(signed).query)["X-Amz-SignedHeaders"][0].split(";")
        async with httpx.AsyncClient() as http:
            assert (await http.get(url)).content == b"png bytes"
            put = await http.put(upload.url, content=b"abc", headers=upload.headers)
            assert put.status_code == 200
        assert await store.get(prefix + "b.png") == b"abc"
        internal = await s3_storage.download_url(prefix + "a.png", 60)
        assert urlsplit(internal).netloc == urlsplit(moto_endpoint).netloc  # without the setting: unchanged
    finally:
        await store.close()
