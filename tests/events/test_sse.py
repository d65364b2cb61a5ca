"""SSE framing and the Last-Event-ID header, down to the bytes a browser's EventSource reads."""

from __future__ import annotations

from litestar import Litestar, Request, get
from litestar.response import ServerSentEvent
from litestar.testing import AsyncTestClient

from app.core.events import Event
from app.events.memory import MemoryEventBus
from app.events.sse import parse_last_event_id, sse_messages, stream_channel, to_sse_message


def test_frames() -> None:
    assert to_sse_message(None).encode() == b": ping\r\n\r\n"
    frame = to_sse_message(Event(channel="task:1", id=17, event="status", data={"status": "성공", "n": [1]}))
    assert frame.encode() == 'id: 17\r\nevent: status\r\ndata: {"status":"성공","n":[1]}\r\n\r\n'.encode()


def test_parse_last_event_id() -> None:
    assert parse_last_event_id(None) is None
    assert parse_last_event_id(" 42 ") == 42
    for bad in ("", "abc", "-1", "1.5", "٣", "9" * 30):
        assert parse_last_event_id(bad) is None


async def test_an_sse_endpoint_built_on_stream_channel() -> None:
    bus = MemoryEventBus()
    state = {"status": "running"}
    await bus.publish("task:1", "progress", {"step": 1})
    done = await bus.publish("task:1", "status", {"status": "succeeded"})
    state["status"] = "succeeded"

    async def snapshot() -> tuple[str, dict]:
        return "task", dict(state)

    @get("/events")
    async def events(request: Request) -> ServerSentEvent:
        stream = stream_channel(
            bus,
            "task:1",
            last_event_id=parse_last_event_id(request.headers.get("last-event-id")),
            snapshot=snapshot,
            is_terminal=lambda e: e.data.get("status") == "succeeded",
        )
        return ServerSentEvent(sse_messages(stream))

    async with AsyncTestClient(Litestar([events])) as client:
        fresh = await client.get("/events")
        assert fresh.headers["content-type"].startswith("text/event-stream")
        assert fresh.text == f'id: {done.id}\r\nevent: task\r\ndata: {{"status":"succeeded"}}\r\n\r\n'
        resumed = await client.get("/events", headers={"Last-Event-ID": str(done.id - 1)})
        assert resumed.text == f'id: {done.id}\r\nevent: status\r\ndata: {{"status":"succeeded"}}\r\n\r\n'
    await bus.close()
