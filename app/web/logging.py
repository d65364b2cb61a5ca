"""Logs carry a request id: every line of one request can be found together."""

from __future__ import annotations

import contextvars
import logging
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class StripQueryFilter(logging.Filter):
    """No query string in uvicorn's access lines (nor its WebSocket lines): signed URLs carry their signature
    and browsers' streams an ``?access_token=`` there, and a log is no place for credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(strip_query(a) if isinstance(a, str) else a for a in record.args)
        return True


def strip_query(value: str) -> str:
    """``/files/k?exp=1&sig=x`` → ``/files/k``; anything without a query is returned as it is."""
    return value.split("?", 1)[0] if value.startswith("/") else value


UVICORN_LOGGERS = ("uvicorn.access", "uvicorn.error")


def configure_logging(debug: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger("saekdam")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, StripQueryFilter) for f in logger.filters):
            logger.addFilter(StripQueryFilter())


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Take ``X-Request-ID`` from the proxy or make one, expose it in logs and echo it back."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isascii() else uuid.uuid4().hex[:16]
        token = request_id.set(rid)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: Any = message.setdefault("headers", [])
                headers.append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)

    return middleware
