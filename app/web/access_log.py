"""One access-log line per request, cheap: uvicorn's own access log is off (``saekdam serve``), this one on.

uvicorn's access log goes through ``logging`` per request (a LogRecord, a formatter, a handler lock, a
write and a flush each time): on board pages that was ~45 % of the throughput. Here the line is one
f-string (the time text made once per second) appended to a buffer that is written out every
``FLUSH_S`` or when it grows past ``FLUSH_BYTES``, and at shutdown.

``client "METHOD /path HTTP/x" status bytes ms [request id]`` — the path only, never the query string:
signed URLs (``sig=``) and WebSocket tokens (``access_token=``) must not end up in logs.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any, TextIO, cast
from urllib.parse import quote

from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

FLUSH_S = 0.5
FLUSH_BYTES = 64 * 1024


class AccessLog:
    """A buffered writer of preformatted lines (one event loop: no locks)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._buffer: list[str] = []
        self._size = 0
        self._scheduled = False
        self._second = -1
        self._stamp = ""

    def stamp(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now))
        return self._stamp

    def write(self, line: str) -> None:
        self._buffer.append(line)
        self._size += len(line)
        if self._size >= FLUSH_BYTES:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_later(FLUSH_S, self.flush)
            except RuntimeError:  # no loop (tests calling directly): write at once
                self.flush()

    def flush(self) -> None:
        self._scheduled = False
        if not self._buffer:
            return
        text = "".join(self._buffer)
        self._buffer.clear()
        self._size = 0
        stream = self.stream or sys.stdout
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):  # a closed stream at shutdown: the lines are lost, the app is not
            pass


def _printable(path: str) -> str:
    """The path as one field of one line: a path with spaces, newlines or control characters (they could
    forge fields or lines) is percent-encoded; any other path is logged as it is (Korean included)."""
    if path.isprintable() and " " not in path:
        return path
    return quote(path, safe="/:@!$&'()*+,;=-._~%")


def access_log_middleware(log: AccessLog) -> Any:
    """Wraps an ASGI app (HTTP requests only). Wrap the whole application (``app.asgi_handler``): route
    middleware never sees a 404 or 405. The request id is the ``X-Request-ID`` the app answered with."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            request = cast("HTTPScope", scope)  # mypy keeps WebSocketScope in the union after the check above
            started = time.perf_counter()
            state: list[Any] = [500, 0, "-"]  # status, body bytes, request id

            async def logged_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    state[0] = message["status"]
                    for name, value in reversed(list(message.get("headers") or ())):  # appended last: found first
                        if name == b"x-request-id":
                            state[2] = value.decode("latin-1")
                            break
                elif message["type"] == "http.response.body":
                    state[1] += len(message.get("body", b""))
                await send(message)

            try:
                await app(scope, receive, logged_send)
            finally:
                client = scope.get("client")
                ms = (time.perf_counter() - started) * 1000
                log.write(
                    f'{log.stamp()} {client[0] if client else "-"} "{request["method"]} '
                    f'{_printable(scope["path"])} HTTP/{scope.get("http_version", "1.1")}" {state[0]} '
                    f"{state[1]} {ms:.1f}ms [{state[2]}]\n"
                )

        return middleware

    return wrap
