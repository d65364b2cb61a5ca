"""Compression: an event stream never carries a compressor (10,000 open streams × gzip's ~256 KiB)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.middleware.compression import CompressionMiddleware

from app.web.compression import TextCompressionMiddleware, compression_config


async def _through(content_type: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[dict[str, Any]]]:
    made = 0
    original = CompressionMiddleware.create_compression_send_wrapper

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal made
        made += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(CompressionMiddleware, "create_compression_send_wrapper", counting)
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type)]})
        await send({"type": "http.response.body", "body": b"x" * 2000, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    middleware = TextCompressionMiddleware(app, compression_config())
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", b"gzip, br")], "state": {}}
    await middleware(scope, None, send)  # type: ignore[arg-type]
    return made, sent


async def test_an_event_stream_passes_without_a_compressor(monkeypatch: pytest.MonkeyPatch) -> None:
    made, sent = await _through(b"text/event-stream", monkeypatch)
    assert made == 0
    assert sent[1]["body"] == b"x" * 2000 and b"content-encoding" not in dict(sent[0]["headers"])


async def test_text_is_still_compressed(monkeypatch: pytest.MonkeyPatch) -> None:
    made, sent = await _through(b"text/html; charset=utf-8", monkeypatch)
    assert made == 1
    assert dict(sent[0]["headers"])[b"content-encoding"] == b"br" and len(sent[1]["body"]) < 2000
