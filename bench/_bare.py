"""Baseline and harness ASGI apps for the benches, served by uvicorn like the real app (``uvicorn bench._bare:X``).

- ``json_app``: bare Litestar, ``GET /json/{name}`` returns a constant payload (the real endpoint's JSON,
  decoded once at start) that Litestar encodes on every request: the least any Litestar JSON endpoint pays.
- ``sse_app``: bare Litestar SSE fed by one raw Redis pub/sub connection and an ``asyncio.Queue`` per
  client: the least a Litestar SSE fan-out pays.
- ``stream_app``: our own bus and resume algorithm (``stream_channel`` + ``sse_messages``, exactly what
  ``GET /api/tasks/{id}/events`` runs) without auth or database, for the dispatch bench; the memory bus
  publishes through ``POST /publish/{channel}`` since it lives in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
from litestar import Litestar, MediaType, Response, get, post
from litestar.response import ServerSentEvent, ServerSentEventMessage


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


# ------------------------------------------------------------------------------------------- JSON


def json_app() -> Litestar:
    folder = Path(os.environ["BENCH_PAYLOADS"])
    payloads = {p.stem: msgspec.json.decode(p.read_bytes()) for p in folder.glob("*.json")}

    @get("/json/{name:str}", sync_to_thread=False)
    def constant(name: str) -> Any:
        return payloads[name]

    return Litestar(route_handlers=[healthz, constant], debug=False)


# ------------------------------------------------------------------------------------------- HTML page

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bare page</title><meta name="description" content="The least a page can be: the Lighthouse baseline.">
</head><body><main><h1>Bare page</h1><p>One paragraph of text and nothing else.</p></main></body></html>
"""


def page_app() -> Litestar:
    """A minimal valid HTML page (and a favicon answer): the Lighthouse bench's baseline."""

    @get("/page", sync_to_thread=False, media_type=MediaType.HTML)
    def page() -> str:
        return PAGE

    @get("/favicon.ico", sync_to_thread=False)
    def favicon() -> Response[bytes]:
        return Response(b"", status_code=204)

    return Litestar(route_handlers=[healthz, page, favicon], debug=False)


# ------------------------------------------------------------------------------------------- SSE


def sse_app() -> Litestar:
    from redis.asyncio import Redis

    channel = os.environ.get("BENCH_CHANNEL", "bench:bare")
    queues: set[asyncio.Queue[bytes]] = set()
    state: dict[str, Any] = {}

    async def listen() -> None:
        redis = Redis.from_url(os.environ["BENCH_REDIS_URL"])
        pubsub = redis.pubsub()
        await pubsub.subscribe(channel)
        async for message in pubsub.listen():
            if message["type"] == "message":
                for queue in list(queues):
                    queue.put_nowait(message["data"])

    async def start() -> None:
        state["listener"] = asyncio.create_task(listen())

    async def frames() -> AsyncIterator[ServerSentEventMessage]:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        queues.add(queue)
        try:
            yield ServerSentEventMessage(comment="ready", data=None)
            while True:
                data = await queue.get()
                yield ServerSentEventMessage(event="post_updated", data=data.decode())
        finally:
            queues.discard(queue)

    @get("/sse", sync_to_thread=False)
    def sse() -> ServerSentEvent:
        return ServerSentEvent(frames())

    return Litestar(route_handlers=[healthz, sse], on_startup=[start], debug=False)


# ------------------------------------------------------------------------------------------- our stream


def stream_app() -> Litestar:
    from app.events.memory import MemoryEventBus
    from app.events.redis import RedisEventBus
    from app.events.sse import sse_messages, stream_channel

    redis_url = os.environ.get("BENCH_REDIS_URL", "")
    prefix = os.environ.get("BENCH_PREFIX", "bench:events:")
    bus: Any = RedisEventBus(redis_url, prefix=prefix) if redis_url else MemoryEventBus()

    @get("/events/{channel:str}", sync_to_thread=False)
    def events(channel: str) -> ServerSentEvent:
        async def snapshot() -> tuple[str, Any]:
            return "task", {"status": "running"}  # stands in for the task row: tells the client it is live

        stream = stream_channel(bus, channel, last_event_id=None, snapshot=snapshot, is_terminal=lambda e: False)
        return ServerSentEvent(sse_messages(stream))

    @post("/publish/{channel:str}", status_code=200)
    async def publish(channel: str, data: dict[str, Any]) -> dict[str, float]:
        stamp = time.monotonic()  # the publish instant, on the clock every process on this host shares
        await bus.publish(channel, "progress", {**data, "t": stamp})
        return {"t": stamp}

    async def close() -> None:
        with contextlib.suppress(Exception):
            await bus.close()

    return Litestar(route_handlers=[healthz, events, publish], on_shutdown=[close], debug=False)
