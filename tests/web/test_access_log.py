"""``saekdam serve`` writes one cheap access-log line per request (uvicorn's own access log is off) and
never the query string: signed URLs and WebSocket tokens stay out of the logs."""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid

import httpx
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from app.web.access_log import AccessLog, access_log_middleware
from tests.support.server import Server

LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (\S+) "(\S+) (\S+) HTTP/[\d.]+" (\d{3}) (\d+) [\d.]+ms \[(\S+)\]$')


async def test_one_line_per_request_without_the_query() -> None:
    out = io.StringIO()
    log = AccessLog(out)

    @get("/hello/{name:str}", sync_to_thread=False)
    def hello(name: str) -> dict[str, str]:
        return {"hello": name}

    app = Litestar([hello])
    app.asgi_handler = access_log_middleware(log)(app.asgi_handler)  # as create_app does
    async with AsyncTestClient(app) as client:
        assert (await client.get("/hello/you?sig=SECRET&access_token=TOKEN")).status_code == 200
        assert (await client.get("/missing")).status_code == 404
        assert (await client.get("/hello/a%0Aforged 200 line")).status_code == 200
    log.flush()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3, lines
    first = LINE.match(lines[0])
    assert first and first.group(2, 3, 4) == ("GET", "/hello/you", "200") and int(first.group(5)) > 0, lines[0]
    assert "SECRET" not in out.getvalue() and "TOKEN" not in out.getvalue()
    assert LINE.match(lines[1]) and LINE.match(lines[1]).group(4) == "404"  # type: ignore[union-attr]
    assert LINE.match(lines[2]) and "/hello/a%0Aforged%20200%20line" in lines[2]  # no forged line or field


async def test_saekdam_serve_logs_each_request_once(server: Server) -> None:
    marker = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        assert (await http.get(f"/api/posts?q={marker}")).status_code == 200
        assert (await http.get(f"/files/x/{marker}.png?exp=1&sig=SIGNED{marker}")).status_code in (403, 404)
    deadline = time.monotonic() + 10
    while f"/files/x/{marker}.png" not in server.log_path.read_text(errors="replace"):
        assert time.monotonic() < deadline, server.log()
        await asyncio.sleep(0.1)
    text = server.log_path.read_text(errors="replace")
    ours = [line for line in text.splitlines() if LINE.match(line) and f"{marker}.png" in line]
    assert len(ours) == 1, ours
    assert marker not in text.replace(f"/files/x/{marker}.png", "")  # neither the search nor the signature
    assert not re.search(r'INFO: +127\.0\.0\.1:\d+ - "GET', text)  # uvicorn's access log is off
