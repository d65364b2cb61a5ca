"""HTTP latency per route template, observed by a lean middleware.

Litestar's Prometheus middleware builds a Request and updates three metrics per request, a fifth of the
app's own time on the cached board list; one histogram (its ``_count`` is the request counter) is enough.
"""

from __future__ import annotations

import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Histogram

HTTP_LATENCY = Histogram(
    "saekdam_http_request_duration_seconds",
    "HTTP request time by method, route template and status",
    ["method", "path", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, float("inf")),
)
# long-lived streams would only blur the latency figures; static and signed files are not the API
_SKIP_PREFIXES = ("/metrics", "/static/", "/files/")
_SKIP_SUFFIXES = ("/events", "/ws", "/stream")


def http_metrics_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if scope["type"] != "http" or path.startswith(_SKIP_PREFIXES) or path.endswith(_SKIP_SUFFIXES):
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_status)
        finally:
            # the route template (never the ids in the path), known once the router has matched
            template = scope.get("path_template") or "unmatched"
            HTTP_LATENCY.labels(scope.get("method", "GET"), template, str(status)).observe(
                time.perf_counter() - started
            )

    return middleware
