"""Response compression by the app itself (brotli, else gzip), for text only.

Litestar's ``CompressionMiddleware`` compresses whatever passes through. This one decides per response
from its headers: HTML, CSS, JavaScript, JSON, SVG and other text are compressed; images, archives and
anything already encoded (the static files, compressed once at first request) pass untouched; server-sent
event streams pass untouched and unbuffered, or each event would wait in the compressor.
"""

from __future__ import annotations

from typing import Any

from litestar.config.compression import CompressionConfig
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Message, Scope, Send

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
    "application/manifest+json",
    "application/problem+json",
    "application/vnd.oai.openapi",
)
NEVER = ("text/event-stream",)


def compressible(headers: list[tuple[bytes, bytes]] | Any) -> bool:
    """Whether a response with these raw ASGI headers should be compressed here."""
    content_type = ""
    for name, value in headers or ():
        lower = name.lower()
        if lower == b"content-encoding":
            return False  # already encoded (or deliberately identity)
        if lower == b"content-type":
            content_type = value.decode("latin-1").lower()
    if not content_type or content_type.startswith(NEVER):
        return False
    return content_type.startswith(TEXT_TYPES) or "+json" in content_type or "+xml" in content_type


class TextCompressionMiddleware(CompressionMiddleware):
    """Compress text responses only; everything else goes straight to the client."""

    def create_compression_send_wrapper(self, send: Send, compression_encoding: Any, scope: Scope) -> Send:
        # the compressor is made only for a response that will use it: an event stream held open for hours
        # must not carry one (gzip's is ~256 KiB) for nothing, 10,000 times over
        target: Send | None = None
        make = super().create_compression_send_wrapper

        async def send_wrapper(message: Message) -> None:
            nonlocal target
            if message["type"] == "http.response.start":
                target = make(send, compression_encoding, scope) if compressible(message.get("headers")) else send
            await (target or send)(message)

        return send_wrapper


def compression_config() -> CompressionConfig:
    """Brotli (quality 5: dense and fast enough per request), gzip for clients without it."""
    return CompressionConfig(
        backend="brotli",
        brotli_quality=5,
        brotli_gzip_fallback=True,
        gzip_compress_level=6,
        minimum_size=512,
        middleware_class=TextCompressionMiddleware,
    )
