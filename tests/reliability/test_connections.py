"""Connections (issue 17, finding 11): one client cannot hold hundreds of event streams, nor keep a connection
open by sending its headers or its body slowly (slowloris, slow uploads).

Own server with small caps and short deadlines; every stream a test opens is closed before the next test.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import websockets

from tests.reliability.conftest import Deployed, start_own_server
from tests.support.users import ApiUser, new_user

pytestmark = pytest.mark.db

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PER_USER, PER_ADDRESS = 3, 5
HEADER_S, BODY_S, IDLE_S = 2.0, 4.0, 1.0


@pytest.fixture(scope="module")
def capped(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    d = start_own_server(
        log_dir,
        tmp_path_factory.mktemp("conn-var"),
        "connections",
        SAEKDAM_STREAMS_PER_USER=str(PER_USER),
        SAEKDAM_STREAMS_PER_ADDRESS=str(PER_ADDRESS),
        SAEKDAM_HTTP_HEADER_TIMEOUT_S=str(HEADER_S),
        SAEKDAM_HTTP_BODY_TIMEOUT_S=str(BODY_S),
        SAEKDAM_UPLOAD_IDLE_TIMEOUT_S=str(IDLE_S),
        SAEKDAM_HTTP_MAX_HEADER_BYTES="16384",
    )
    yield d
    d.server.stop()


@contextlib.asynccontextmanager
async def opened(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> AsyncIterator[httpx.Response]:
    """An event stream held open (its answer's head read, the body left unread)."""
    async with http.stream("GET", path, headers={**headers, "accept": "text/event-stream"}) as response:
        yield response


async def _created_task(http: httpx.AsyncClient, user: ApiUser) -> str:
    r = await http.post("/api/tasks", json={"content_type": "image/png", "size_bytes": 1000}, headers=user.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["task"]["id"])


async def _hold(
    stack: contextlib.AsyncExitStack, http: httpx.AsyncClient, path: str, headers: dict[str, str], n: int
) -> list[httpx.Response]:
    """``n`` streams held open in ``stack``, once the server has taken back the slots of streams closed just
    before (it notices a client's leaving within a moment, not at once)."""
    deadline = time.monotonic() + 10
    while True:
        async with contextlib.AsyncExitStack() as attempt:
            held = [await attempt.enter_async_context(opened(http, path, headers)) for _ in range(n)]
            if all(r.status_code == 200 for r in held):
                stack.push_async_exit(attempt.pop_all())
                return held
        assert time.monotonic() < deadline, [r.status_code for r in held]
        await asyncio.sleep(0.2)


async def _eventually_accepted(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 5
    while True:
        async with opened(http, path, headers) as again:
            if again.status_code == 200:
                return
        assert time.monotonic() < deadline, "a closed stream did not give its slot back"
        await asyncio.sleep(0.1)


async def test_streams_are_capped_per_user_sse_and_websocket_alike(capped: Deployed) -> None:
    async with httpx.AsyncClient(base_url=capped.server.url, timeout=30) as http:
        user = await new_user(http, "streamer")
        tid = await _created_task(http, user)
        path = f"/api/tasks/{tid}/events"
        async with contextlib.AsyncExitStack() as stack:
            await _hold(stack, http, path, user.headers, PER_USER - 1)
            await _hold(stack, http, "/api/board/events", user.headers, 1)
            async with opened(http, path, user.headers) as refused:
                assert refused.status_code == 429
                body = await refused.aread()
                error = httpx.Response(429, content=body).json()
                assert error["code"] == "too_many_streams" and error["status"] == 429, error
                assert HANGUL.search(error["detail"]), error
                assert int(refused.headers["retry-after"]) >= 1
            ws_url = capped.server.url.replace("http://", "ws://") + f"/api/tasks/{tid}/ws"
            async with websockets.connect(ws_url, additional_headers=user.headers) as ws:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), 10)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
            other = await new_user(http, "neighbour")  # another user (same address, under its cap) still streams
            async with opened(http, "/api/board/events", other.headers) as fine:
                assert fine.status_code == 200
        await _eventually_accepted(http, path, user.headers)  # closing gave the slots back


async def test_websockets_count_and_give_their_slot_back(capped: Deployed) -> None:
    async with httpx.AsyncClient(base_url=capped.server.url, timeout=30) as http:
        user = await new_user(http, "socketeer")
        tid = await _created_task(http, user)
        ws_url = capped.server.url.replace("http://", "ws://") + f"/api/tasks/{tid}/ws"
        async with contextlib.AsyncExitStack() as stack:
            deadline = time.monotonic() + 10
            held = 0
            while held < PER_USER:
                ws = await stack.enter_async_context(websockets.connect(ws_url, additional_headers=user.headers))
                try:
                    assert msgspec_event(await asyncio.wait_for(ws.recv(), 10)) == "task"  # the snapshot
                    held += 1
                except websockets.ConnectionClosed as closed:  # the last test's streams not yet given back
                    assert closed.rcvd is not None and closed.rcvd.code == 4429 and time.monotonic() < deadline
                    await asyncio.sleep(0.2)
            async with opened(http, f"/api/tasks/{tid}/events", user.headers) as refused:
                assert refused.status_code == 429
        await _eventually_accepted(http, f"/api/tasks/{tid}/events", user.headers)


def msgspec_event(frame: str | bytes) -> str:
    import msgspec

    return str(msgspec.json.decode(frame)["event"])


async def test_anonymous_board_streams_are_capped_per_address(capped: Deployed) -> None:
    async with httpx.AsyncClient(base_url=capped.server.url, timeout=30) as http:
        async with contextlib.AsyncExitStack() as stack:
            await _hold(stack, http, "/api/board/events", {}, PER_ADDRESS)
            async with opened(http, "/api/board/events", {}) as refused:
                assert refused.status_code == 429 and "retry-after" in refused.headers
            async with opened(http, "/board/events", {}) as page_stream:  # the pages' stream counts alike
                assert page_stream.status_code == 429
        await _eventually_accepted(http, "/api/board/events", {})


# ------------------------------------------------------------------------------------------------ raw sockets
async def _connect(d: Deployed) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(d.server.url)
    return await asyncio.open_connection(parts.hostname, parts.port)


async def _until_closed(reader: asyncio.StreamReader, limit_s: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    start = time.monotonic()
    data = b""
    with contextlib.suppress(ConnectionError):
        while chunk := await asyncio.wait_for(reader.read(65536), limit_s):
            data += chunk
    return data, time.monotonic() - start


async def test_slowloris_headers_are_cut_off(capped: Deployed) -> None:
    reader, writer = await _connect(capped)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            for i in range(40):
                writer.write(b"X-Slow-%d: y\r\n" % i)
                await writer.drain()
                await asyncio.sleep(0.25)

    feeding = asyncio.create_task(trickle())
    data, took = await _until_closed(reader, 15)
    feeding.cancel()
    writer.close()
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert took < HEADER_S + 2, took


async def test_a_connection_that_sends_nothing_is_closed(capped: Deployed) -> None:
    reader, writer = await _connect(capped)
    data, took = await _until_closed(reader, 15)
    writer.close()
    assert took < HEADER_S + 2, took


async def test_too_long_headers_are_refused(capped: Deployed) -> None:
    reader, writer = await _connect(capped)
    writer.write(
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-Big-%d: %s\r\n" % (i, b"z" * 1000) for i in range(40))
        + b"\r\n"
    )
    data, _ = await _until_closed(reader, 15)
    writer.close()
    assert data.startswith(b"HTTP/1.1 431"), data[:200]


async def test_a_stalled_upload_is_refused_and_closed(capped: Deployed) -> None:
    async with httpx.AsyncClient(base_url=capped.server.url, timeout=30) as http:
        user = await new_user(http, "stalled")
        r = await http.post("/api/tasks", json={"content_type": "image/png", "size_bytes": 5000}, headers=user.headers)
        upload = r.json()["upload"]
    target = upload["url"].split(capped.server.url, 1)[1]
    reader, writer = await _connect(capped)
    writer.write(
        f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n".encode()
        + b"\x89PNG\r\n\x1a\n"
        + b"\0" * 100
    )
    await writer.drain()
    data, took = await _until_closed(reader, 15)
    writer.close()
    assert data.startswith(b"HTTP/1.1 408"), data[:300]
    assert b'"code":"request_timeout"' in data.replace(b" ", b""), data[-300:]
    assert took < IDLE_S + 3, took
    leftovers = [p for p in (capped.storage_dir / "tmp").glob("*")] if (capped.storage_dir / "tmp").exists() else []
    assert leftovers == []


async def test_a_trickled_request_body_is_cut_off(capped: Deployed) -> None:
    reader, writer = await _connect(capped)
    writer.write(
        b"POST /api/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"
    )

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            for _ in range(80):
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.25)

    feeding = asyncio.create_task(trickle())
    data, took = await _until_closed(reader, 20)
    feeding.cancel()
    writer.close()
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert took < BODY_S + 2, took
