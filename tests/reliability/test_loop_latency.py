"""CPU work never runs on the event loop: while 20 sign-ups, 20 wrong logins (600k PBKDF2 rounds each) and 5
submits of ~38-megapixel PNGs (a full decode each) run at once, ``/healthz`` answers with p99 ≤ 50 ms.

The probe is its own process (no GIL or loop shared with the load), one keep-alive connection, a request every
10 ms for as long as the load runs: several hundred samples, so one scheduler hiccup on a busy 2-core machine
does not decide the p99. The same probe runs for a few quiet seconds first: when other processes on the machine
alone already push its p99 past 20 ms, the bound is that quiet p99 + 30 ms (the report prints both). A loop that
hashes or decodes itself answers in hundreds of milliseconds and fails either way.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from PIL import Image

from tests.reliability.conftest import Deployed, start_own_server
from tests.support.flow import create_and_upload
from tests.support.users import new_user

pytestmark = pytest.mark.db

P99_LIMIT_S = 0.050
MIN_SAMPLES = 200
QUIET_S = 4.0
T = TypeVar("T")

PROBE = r"""
import json, sys, threading, time
import httpx
url = sys.argv[1]
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
samples = []
with httpx.Client(timeout=10) as client:
    client.get(url)  # connect first: the samples time requests, not the TCP handshake
    print("ready", flush=True)
    while not stop.is_set():
        t = time.perf_counter()
        r = client.get(url)
        samples.append(time.perf_counter() - t)
        assert r.status_code == 200, r.status_code
        time.sleep(0.01)
print(json.dumps(samples), flush=True)
"""


@pytest.fixture(scope="module")
def hashing_server(log_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    """Production's hashing cost and upload limits; the painter off (not the request path under test)."""
    d = start_own_server(
        log_dir,
        tmp_path_factory.mktemp("loop-var"),
        "loop-latency",
        SAEKDAM_PASSWORD_ITERATIONS="600000",
        SAEKDAM_MAX_UPLOAD_BYTES=str(25 * 1024 * 1024),
        SAEKDAM_RUN_PAINTER_IN_API="false",
    )
    yield d
    d.server.stop()


def large_png() -> bytes:
    """7000×5500 (38.5 MP) RGB gradients: a few hundred KB that take ~0.5 s of CPU to decode."""
    g = Image.linear_gradient("L").resize((7000, 5500))
    img = Image.merge(
        "RGB", (g, g.transpose(Image.Transpose.FLIP_LEFT_RIGHT), g.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    )
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def probe_during(url: str, load: Awaitable[T]) -> tuple[T, list[float]]:
    """Run ``load`` while the probe process times ``/healthz``; its result and the probe's samples (seconds)."""
    probe = subprocess.Popen(
        [sys.executable, "-c", PROBE, url + "/healthz"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert probe.stdout is not None and probe.stdout.readline().strip() == "ready"
        result = await load
    finally:
        out, _ = probe.communicate("stop\n", timeout=60)
    return result, json.loads(out.strip().splitlines()[-1])


async def test_healthz_stays_fast_while_hashing_and_decoding(hashing_server: Deployed) -> None:
    url = hashing_server.server.url
    async with httpx.AsyncClient(base_url=url, timeout=300) as http:
        owner = await new_user(http, "loop")
        photo = large_png()
        tasks = [await create_and_upload(http, owner.headers, photo) for _ in range(5)]

        async def signup(i: int) -> int:
            r = await http.post(
                "/api/auth/signup",
                json={
                    "email": f"load{i}-{uuid.uuid4().hex[:8]}@example.com",
                    "password": "load-password-1",
                    "nickname": f"load{i}",
                },
            )
            return r.status_code

        async def wrong_login(i: int) -> int:
            email = owner.email if i % 2 else f"nobody{i}-{uuid.uuid4().hex[:6]}@example.com"
            r = await http.post("/api/auth/token", json={"email": email, "password": "wrong-password-9"})
            return r.status_code

        async def submit(task: dict[str, object]) -> int:
            r = await http.post(
                f"/api/tasks/{task['id']}/submit",
                headers=owner.headers,
                json={
                    "theme": "ocean",
                    "prompt": "파도",
                    "region": {"mode": "box", "box": [100, 100, 800, 600]},
                    "steps": 2,
                },
            )
            return r.status_code

        async def load() -> tuple[list[int], float]:
            started = time.monotonic()
            statuses = await asyncio.gather(
                *[signup(i) for i in range(20)], *[wrong_login(i) for i in range(20)], *[submit(t) for t in tasks]
            )
            return list(statuses), time.monotonic() - started

        _, quiet = await probe_during(url, asyncio.sleep(QUIET_S))
        (statuses, load_s), samples = await probe_during(url, load())

    assert statuses[:20] == [201] * 20, statuses
    assert statuses[20:40] == [401] * 20, statuses
    assert statuses[40:] == [202] * 5, statuses
    p50, p99, quiet_p99 = percentile(samples, 0.5), percentile(samples, 0.99), percentile(quiet, 0.99)
    report = (
        f"load {load_s:.1f} s, {len(samples)} samples: /healthz p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {max(samples) * 1000:.1f} ms; without the load p99 {quiet_p99 * 1000:.1f} ms"
    )
    print(report)
    assert len(samples) >= MIN_SAMPLES, report  # a stalled loop answers few probes
    # 50 ms; on a machine whose other processes alone already slow the probe, 30 ms above that
    assert p99 <= max(P99_LIMIT_S, quiet_p99 + 0.030), report
