"""Signed download URLs are made once and reused while at least half their lifetime is left (both stores):
polls of a task or a board page then carry the same URLs (and stay equal for their ETags), a URL is never
handed out with more life than was asked for, and a deleted key's URLs are forgotten."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from app.storage import url_cache
from tests.storage.conftest import Store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def test_a_url_is_reused_while_half_its_lifetime_is_left(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    s, key = store.storage, store.key("reused.png")
    await s.put(key, PNG, "image/png")
    first = await s.download_url(key, 600)
    assert await s.download_url(key, 600) == first
    named = await s.download_url(key, 600, filename="a.png")
    assert named != first and await s.download_url(key, 600, filename="a.png") == named
    assert await s.download_url(key, 60) != first  # more life left than asked for: a URL of its own
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(first)).content == PNG

    real = time.time
    monkeypatch.setattr(url_cache.time, "time", lambda: real() + 290)  # 310 s of 600 left: still reused
    assert await s.download_url(key, 600) == first
    monkeypatch.setattr(url_cache.time, "time", lambda: real() + 310)  # under half left: signed again
    again = await s.download_url(key, 600)
    if store.kind == "local":  # signed at the faked time: a later expiry (botocore's clock is not faked)
        assert again != first and await s.download_url(key, 600) == again


async def test_a_deleted_keys_urls_are_forgotten(store: Store) -> None:
    s, key = store.storage, store.key("gone.png")
    await s.put(key, PNG, "image/png")
    first = await s.download_url(key, 600)
    kept = await s.download_url(store.key("kept.png"), 600)
    await s.delete(key)
    await s.put(key, PNG, "image/png")
    await asyncio.sleep(1.1)  # a URL signed now carries a later expiry: a different URL
    assert await s.download_url(key, 600) != first
    assert await s.download_url(store.key("kept.png"), 600) == kept  # other keys keep theirs
