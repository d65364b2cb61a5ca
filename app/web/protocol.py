"""The HTTP/1.1 protocol ``saekdam serve`` runs (uvicorn's httptools one, with deadlines), so that a slow or
silent client cannot hold a connection for ever:

- a request's headers (from its first byte, or from the connection's opening) must arrive within
  ``http_header_timeout_s`` (slowloris), and be at most ``http_max_header_bytes`` long;
- its body must arrive within ``http_body_timeout_s`` of the headers (a slow upload);
- an idle keep-alive connection closes after ``http_keep_alive_s`` (uvicorn's own timer).

A request that misses a deadline before its answer started gets ``408`` (too long headers: ``431``) and the
connection is closed. Responses themselves (event streams) have no deadline here: they are the app's business.
Settings are read in each process (``uvicorn --workers`` imports this class by name).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.core.settings import get_settings

log = logging.getLogger("saekdam.http")


class DeadlineHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body deadlines and a header size cap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        s = get_settings()
        self.header_timeout_s = s.http_header_timeout_s
        self.body_timeout_s = s.http_body_timeout_s
        self.max_header_bytes = s.http_max_header_bytes
        self._deadline: asyncio.TimerHandle | None = None
        self._header_bytes = 0

    # deadlines -----------------------------------------------------------------------------------------
    def _arm(self, seconds: float, what: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._missed, what)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _missed(self, what: str) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        log.info(
            "closing a connection from %s: its request %s did not arrive in time",
            self.client[0] if self.client else "?",
            what,
        )
        self._refuse(408, b"Request Timeout")

    def _answered(self) -> bool:
        """Whether the request being read already has (the start of) an answer."""
        cycle = self.cycle
        if cycle is None or cycle.scope is not self.scope:  # still reading headers: the cycle is the last one's
            return False
        return bool(cycle.response_started)

    def _refuse(self, status: int, text: bytes) -> None:
        """Answer ``status`` when the request has no answer yet, then close the connection."""
        if not self._answered():
            if self.cycle is not None and self.cycle.scope is self.scope:
                # the app reading the body hears "disconnected", and its answer, if any, is dropped
                self.cycle.disconnected = True
                self.cycle.message_event.set()
            self.transport.write(
                b"".join(
                    [
                        STATUS_LINE[status],
                        b"content-type: text/plain; charset=utf-8\r\n",
                        b"content-length: " + str(len(text)).encode() + b"\r\n",
                        b"connection: close\r\n\r\n",
                        text,
                    ]
                )
            )
        self.transport.close()

    # uvicorn's hooks ------------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn always passes an asyncio.Transport
        super().connection_made(transport)
        self._arm(self.header_timeout_s, "headers")  # a connection that never sends a request

    def data_received(self, data: bytes) -> None:
        if self.transport.is_closing():  # refused: nothing more is parsed (or answered)
            return
        super().data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the WebSocket protocol takes the connection over
        super().handle_websocket_upgrade()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._arm(self.header_timeout_s, "headers")

    def on_url(self, url: bytes) -> None:
        if self._count_header_bytes(len(url)):
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._count_header_bytes(len(name) + len(value) + 4):
            super().on_header(name, value)

    def _count_header_bytes(self, n: int) -> bool:
        """False once the request's headers are too long (answered 431, closing)."""
        if self.transport.is_closing():
            return False
        self._header_bytes += n
        if self._header_bytes > self.max_header_bytes:
            self._disarm()
            self._refuse(431, b"Request Header Fields Too Large")
            return False
        return True

    def on_headers_complete(self) -> None:
        self._disarm()
        if self.transport.is_closing():  # refused while its headers came: the app never sees it
            return
        super().on_headers_complete()
        if not self.parser.should_upgrade():
            self._arm(self.body_timeout_s, "body")

    def on_body(self, body: bytes) -> None:
        if not self.transport.is_closing():
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        if not self.transport.is_closing():
            super().on_message_complete()
