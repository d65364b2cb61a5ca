"""One behavioural suite for every store: local disk and S3 (moto) must answer these calls alike."""

from __future__ import annotations

from datetime import UTC

import httpx
import pytest

from app.core.storage import ObjectNotFound
from app.storage.errors import UploadTooLarge
from tests.storage.conftest import MAX_UPLOAD, Store

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"j" * 500


async def test_put_get_size_exists_delete(store: Store) -> None:
    s, key = store.storage, store.key("tasks/1/input.png")
    assert not await s.exists(key)
    assert await s.size(key) is None
    await s.put(key, PNG, "image/png")
    assert await s.get(key) == PNG
    assert await s.size(key) == len(PNG)
    assert await s.exists(key)
    await s.put(key, JPEG, "image/jpeg")  # put() (the server's own writes) replaces
    assert await s.get(key) == JPEG
    await s.delete(key)
    assert not await s.exists(key)
    await s.delete(key)  # absent is not an error


async def test_modified_at_is_when_the_object_was_written(store: Store) -> None:
    """The orphan sweep's grace is measured from it (UTC, within a few seconds of now)."""
    from datetime import datetime

    s, key = store.storage, store.key("tasks/1/written.png")
    assert await s.modified_at(key) is None
    await s.put(key, PNG, "image/png")
    written = await s.modified_at(key)
    assert written is not None and written.tzinfo is not None
    assert abs((datetime.now(UTC) - written).total_seconds()) < 30


async def test_get_missing_raises_object_not_found(store: Store) -> None:
    with pytest.raises(ObjectNotFound):
        await store.storage.get(store.key("missing.png"))


async def test_list_keys_is_a_sorted_string_prefix_match(store: Store) -> None:
    s = store.storage
    for name in ("b/2.png", "a/1.png", "a/10.png", "ab.png", "c.txt"):
        await s.put(store.key(name), b"x", "application/octet-stream")
    assert await s.list_keys(store.key("a/")) == [store.key("a/1.png"), store.key("a/10.png")]
    assert await s.list_keys(store.key("a")) == [store.key(n) for n in ("a/1.png", "a/10.png", "ab.png")]
    everything = ("a/1.png", "a/10.png", "ab.png", "b/2.png", "c.txt")
    assert await s.list_keys(store.prefix) == [store.key(n) for n in everything]
    assert await s.list_keys(store.key("zzz")) == []


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "a/../../b", "/abs/path", "a//b", "a/./b", "a/", "", "sp ace", "é.png", "a\\b", "a?b"]
)
async def test_unsafe_keys_are_refused(store: Store, key: str) -> None:
    s = store.storage
    with pytest.raises(ValueError):
        await s.put(key, b"x", "image/png")
    with pytest.raises(ValueError):
        await s.get(key)
    with pytest.raises(ValueError):
        await s.upload_url(key, "image/png", 10, 60)
    with pytest.raises(ValueError):
        await s.download_url(key, 60)


async def test_upload_url_limits(store: Store) -> None:
    with pytest.raises(UploadTooLarge):
        await store.storage.upload_url(store.key("big.png"), "image/png", MAX_UPLOAD + 1, 60)
    with pytest.raises(ValueError):
        await store.storage.upload_url(store.key("empty.png"), "image/png", 0, 60)
    with pytest.raises(ValueError):
        await store.storage.upload_url(store.key("x.png"), "image/png; charset=x", 10, 60)


async def test_signed_upload_then_download_over_http(store: Store) -> None:
    s, key = store.storage, store.key("tasks/2/input.png")
    upload = await s.upload_url(key, "image/png", len(PNG), 60)
    assert upload.method == "PUT"
    assert upload.headers["Content-Type"] == "image/png"
    assert upload.headers["Content-Length"] == str(len(PNG))
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.put(upload.url, content=PNG, headers=upload.headers)
        assert response.is_success, response.text
        assert await s.get(key) == PNG

        response = await http.get(await s.download_url(key, 60))
        assert response.status_code == 200
        assert response.content == PNG  # bytes unchanged
        assert response.headers["content-type"] == "image/png"

        response = await http.get(await s.download_url(key, 60, filename="벽화 result.png"))
        assert response.status_code == 200
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''%EB%B2%BD%ED%99%94%20result.png" in disposition
