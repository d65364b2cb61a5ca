"""SSE fan-out: N task streams on one API process; publish → LAST client latency, memory per stream.

    .venv/bin/python bench/sse_fanout.py [--sizes 10000] [--publishes 20] [--quick]

Ours: the real app (``app.asgi:create_app``, distributed mode: private redis-server, SQLite) under uvicorn,
clients on ``GET /api/tasks/{id}/events`` with a bearer token (auth, ownership check, the task snapshot,
then live events: what the app does while a mural paints; all N follow one user's task). Each progress
event is published from this process through ``RedisEventBus.publish`` (as a worker does) with its publish
instant in the data; the server's one pub/sub listener fans it out to N streams.
Baseline, same N, same client, same trigger (a Redis PUBLISH): a bare Litestar SSE endpoint fed by one raw
Redis subscription and an ``asyncio.Queue`` per client (bench/_bare.py: sse_app).

Clients live in a separate process (raw asyncio sockets on uvloop, a few KiB each), so client CPU does not
run inside the server; they send ``Accept-Encoding: gzip, deflate, br`` as browsers' EventSource does. A stream
counts as connected once its first frame arrived (subscribed: the task
snapshot for ours, a ``: ready`` comment for the baseline).
Per publish: time until the first and the last of the N clients has the event (one host clock,
``time.monotonic()``); p50/p99 over ``--publishes``. Memory: the server's RSS after the N streams are up
minus its RSS before (warmed up by one stream), divided by N. CPU: the server process's own CPU seconds
while the events went out, per event and stream (unlike latency, other load on the host hardly moves it).
Goal (issue 16): 10,000 streams in one process, none missing an event, publish → last client p99 ≤ 1 s,
≤ 40 KiB per stream.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    PY,
    Figure,
    Report,
    ServerProcess,
    app_env,
    free_port,
    header,
    median,
    new_loop,
    pct,
    raise_nofile,
    run,
    use_env,
    uvicorn_args,
)

LATENCY_GOAL_S, MEMORY_GOAL_KIB, STREAMS_GOAL = 1.0, 40.0, 10_000
BARE_CHANNEL = "bench:bare"


# ------------------------------------------------------------------------------------------- client process


class StreamClient(asyncio.Protocol):
    """One SSE connection that only notes when it became ready and when each ``"seq":k`` arrived."""

    def __init__(self, request: bytes, fleet: Fleet, marker: bytes) -> None:
        self.request, self.fleet, self.marker = request, fleet, marker
        self.buffer = b""
        self.ready = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buf = self.buffer + data
        if not self.ready and self.marker in buf:
            self.ready = True
            self.fleet.on_ready()
        while True:
            at = buf.find(b'"seq":')
            if at < 0:
                buf = buf[-16:]
                break
            end = start = at + 6
            while end < len(buf) and buf[end : end + 1] == b" ":
                end = start = end + 1
            while end < len(buf) and buf[end : end + 1].isdigit():
                end += 1
            if end == len(buf):
                buf = buf[at:]
                break
            self.fleet.on_seq(int(buf[start:end]), now)
            buf = buf[end:]
        self.buffer = buf

    def connection_lost(self, exc: Exception | None) -> None:
        self.fleet.lost += 1
        if not self.ready:
            self.fleet.on_ready(failed=True)


class Fleet:
    def __init__(self, size: int) -> None:
        self.size = size
        self.ready = 0
        self.failed = 0
        self.lost = 0
        self.arrivals: dict[int, list[float]] = {}
        self.changed = asyncio.Event()
        self.slots = asyncio.Semaphore(200)  # connections being set up at once

    def on_ready(self, failed: bool = False) -> None:
        if failed:
            self.failed += 1
        else:
            self.ready += 1
        self.slots.release()
        self.changed.set()

    def on_seq(self, seq: int, now: float) -> None:
        self.arrivals.setdefault(seq, []).append(now)
        if len(self.arrivals[seq]) >= self.ready:
            self.changed.set()

    async def wait(self, done: Any, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not done() and time.monotonic() < deadline:
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), max(0.01, deadline - time.monotonic()))


async def client_main(port: int, target: Target, size: int) -> None:
    """Connect ``size`` streams, say READY, then answer ``EXPECT k`` lines with the arrival times of seq k."""
    loop = asyncio.get_running_loop()
    fleet = Fleet(size)
    extra = "".join(f"{k}: {v}\r\n" for k, v in target.headers.items())
    request = (
        f"GET {target.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        f"Accept-Encoding: gzip, deflate, br\r\n{extra}\r\n"
    ).encode()
    marker = target.marker.encode()
    clients = []
    for _ in range(size):
        await fleet.slots.acquire()
        try:
            _, proto = await loop.create_connection(lambda: StreamClient(request, fleet, marker), "127.0.0.1", port)
            clients.append(proto)
        except OSError:
            fleet.on_ready(failed=True)
    await fleet.wait(lambda: fleet.ready + fleet.failed >= size, 120)
    print(f"READY {fleet.ready} {fleet.failed}", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        seq = int(line.split()[1])
        await fleet.wait(lambda seq=seq: len(fleet.arrivals.get(seq, ())) >= fleet.ready, 30)
        times = sorted(fleet.arrivals.get(seq, []))
        print(
            "GOT "
            + json.dumps(
                {
                    "seq": seq,
                    "count": len(times),
                    "first": times[0] if times else None,
                    "last": times[-1] if times else None,
                }
            ),
            flush=True,
        )
    for proto in clients:
        if proto.transport is not None:
            proto.transport.close()


# ------------------------------------------------------------------------------------------- one measurement


class Target(msgspec.Struct):
    """What the clients connect to: the path, extra headers, and the bytes that say "subscribed"."""

    path: str
    channel: str  # where the publisher sends (ours: the bus channel; bare: a raw Redis channel)
    marker: str
    headers: dict[str, str] = {}


class ClientProcess:
    def __init__(self, port: int, target: Target, size: int) -> None:
        self.proc = subprocess.Popen(
            [PY, str(Path(__file__)), "--client", str(port), msgspec.json.encode(target).decode(), str(size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            preexec_fn=lambda: raise_nofile(),
        )

    def line(self, prefix: str) -> str:
        assert self.proc.stdout is not None
        while True:
            text = self.proc.stdout.readline()
            if not text:
                raise RuntimeError(f"client process ended (rc={self.proc.poll()})")
            if text.startswith(prefix):
                return text[len(prefix) :].strip()

    def expect(self, seq: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"EXPECT {seq}\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Publisher:
    """Publishes ``{"seq": k, "t": publish instant}`` the way each server expects it, on one event loop."""

    def __init__(self, kind: str, redis_url: str, channel: str) -> None:
        self.kind, self.redis_url, self.channel = kind, redis_url, channel
        self.loop = new_loop()
        self.bus: Any = None
        self.redis: Any = None

    def publish(self, seq: int) -> float:
        return self.loop.run_until_complete(self._publish(seq))

    async def _publish(self, seq: int) -> float:
        if self.kind == "ours":
            from app.events.redis import RedisEventBus

            self.bus = self.bus or RedisEventBus(self.redis_url)
            t0 = time.monotonic()
            await self.bus.publish(self.channel, "progress", {"step": seq, "total": 1000, "seq": seq, "t": t0})
        else:
            from redis.asyncio import Redis

            self.redis = self.redis or Redis.from_url(self.redis_url)
            t0 = time.monotonic()
            await self.redis.publish(
                self.channel, json.dumps({"id": "bench", "seq": seq, "t": t0}, separators=(",", ":"))
            )
        return t0

    def close(self) -> None:
        async def shut() -> None:
            if self.bus is not None:
                await self.bus.close()
            if self.redis is not None:
                await self.redis.aclose()

        self.loop.run_until_complete(shut())
        self.loop.close()


def start_server(kind: str, redis_url: str, env: dict[str, str]) -> ServerProcess:
    port = free_port()
    if kind == "ours":
        return ServerProcess(
            uvicorn_args("app.asgi:create_app", port, factory=True), env, port=port, name="app"
        ).wait_ready()
    return ServerProcess(
        uvicorn_args("bench._bare:sse_app", port, factory=True),
        {"BENCH_REDIS_URL": redis_url, "BENCH_CHANNEL": BARE_CHANNEL},
        port=port,
        name="bare-sse",
    ).wait_ready()


def task_target(url: str) -> Target:
    """A user and a task of theirs on the server: the stream every client follows."""
    import httpx

    from tests.support.users import new_user

    async def make() -> Target:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            user = await new_user(http, "streamer")
            r = await http.post(
                "/api/tasks", json={"content_type": "image/png", "size_bytes": 1000}, headers=user.headers
            )
            assert r.status_code == 201, r.text
            task_id = r.json()["task"]["id"]
        return Target(
            path=f"/api/tasks/{task_id}/events",
            channel=f"task:{task_id}",
            marker="event: task",
            headers={"Authorization": user.headers["authorization"]},
        )

    return run(make())


def measure(kind: str, size: int, publishes: int, redis_url: str, env: dict[str, str]) -> dict[str, Any]:
    with start_server(kind, redis_url, env) as server:
        target = (
            task_target(server.url) if kind == "ours" else Target(path="/sse", channel=BARE_CHANNEL, marker=": ready")
        )
        publisher = Publisher(kind, redis_url, target.channel)
        warm = ClientProcess(server.port, target, 1)  # first stream: imports and lazy starts, not per-stream memory
        warm.line("READY")
        publisher.publish(0)
        warm.expect(0)
        warm.line("GOT")
        time.sleep(0.5)
        before = server.rss()
        client = ClientProcess(server.port, target, size)
        started = time.monotonic()
        ready, failed = map(int, client.line("READY").split())
        connect_s = time.monotonic() - started
        time.sleep(1.0)
        after = server.rss()
        lasts, firsts, missing, cpu_s = [], [], 0, 0.0
        for seq in range(1, publishes + 1):
            time.sleep(random.uniform(0.2, 0.6))
            client.expect(seq)
            cpu_before = server.cpu_s()
            t0 = publisher.publish(seq)
            got = json.loads(client.line("GOT"))
            cpu_s += server.cpu_s() - cpu_before
            missing += ready - got["count"]
            if got["count"]:
                lasts.append(got["last"] - t0)
                firsts.append(got["first"] - t0)
        client.close()
        warm.close()
    publisher.close()
    result = {
        "kind": kind,
        "size": size,
        "ready": ready,
        "failed": failed,
        "connect_s": connect_s,
        "kib_per_stream": (after - before) / max(1, ready) / 1024,
        "rss_before_mib": before / 2**20,
        "rss_after_mib": after / 2**20,
        "last_p50": median(lasts),
        "last_p99": pct(lasts, 99),
        "first_p50": median(firsts),
        "missing": missing,
        "cpu_us_per_delivery": cpu_s / max(1, publishes * ready) * 1e6,
    }
    print(
        f"  {kind:<5} N={size:<6} connected {ready} (failed {failed}) in {connect_s:5.1f} s | RSS "
        f"{result['rss_before_mib']:.0f} → {result['rss_after_mib']:.0f} MiB = "
        f"{result['kib_per_stream']:.1f} KiB/stream | publish→first p50 {result['first_p50'] * 1000:.1f} ms, "
        f"→last p50 {result['last_p50'] * 1000:.1f} ms p99 {result['last_p99'] * 1000:.1f} ms | server CPU "
        f"{result['cpu_us_per_delivery']:.1f} µs per event per stream" + (f" | MISSED {missing}" if missing else "")
    )
    return result


def report_size(report: Report, ours: dict[str, Any], bare: dict[str, Any]) -> None:
    n = ours["size"]
    all_there = ours["ready"] == n and ours["missing"] == 0
    report.add(
        Figure(
            f"N={n}: streams connected",
            ours["ready"],
            "streams",
            "bare Litestar SSE",
            bare["ready"],
            round(ours["ready"] / max(1, bare["ready"]), 2),
            "ours/bare",
            f"all {n}, none missed an event",
            all_there,
        )
    )
    report.add(
        Figure(
            f"N={n}: publish→last client p50",
            round(ours["last_p50"] * 1000, 1),
            "ms",
            "bare Litestar SSE + asyncio.Queue",
            round(bare["last_p50"] * 1000, 1),
            round(bare["last_p50"] / ours["last_p50"], 2),
            "bare/ours",
            "info",
        )
    )
    report.add(
        Figure(
            f"N={n}: publish→last client p99",
            round(ours["last_p99"] * 1000, 1),
            "ms",
            "bare Litestar SSE + asyncio.Queue",
            round(bare["last_p99"] * 1000, 1),
            round(bare["last_p99"] / ours["last_p99"], 2),
            "bare/ours",
            f"≤ {LATENCY_GOAL_S * 1000:.0f} ms",
            ours["last_p99"] <= LATENCY_GOAL_S and all_there,
        )
    )
    report.add(
        Figure(
            f"N={n}: server CPU per event per stream",
            round(ours["cpu_us_per_delivery"], 1),
            "µs",
            "bare Litestar SSE + asyncio.Queue",
            round(bare["cpu_us_per_delivery"], 1),
            round(bare["cpu_us_per_delivery"] / ours["cpu_us_per_delivery"], 2),
            "bare/ours",
            "info (unlike latency, not moved by other load on the host)",
        )
    )
    report.add(
        Figure(
            f"N={n}: memory per stream",
            round(ours["kib_per_stream"], 1),
            "KiB",
            "bare Litestar SSE + asyncio.Queue",
            round(bare["kib_per_stream"], 1),
            round(bare["kib_per_stream"] / ours["kib_per_stream"], 2),
            "bare/ours",
            f"≤ {MEMORY_GOAL_KIB:.0f} KiB",
            ours["kib_per_stream"] <= MEMORY_GOAL_KIB,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=str(STREAMS_GOAL), help="comma-separated stream counts")
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="N=200, 5 publishes")
    parser.add_argument("--client", nargs=3, metavar=("PORT", "TARGET", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    raise_nofile()
    if args.client:
        port, target, size = args.client
        run(client_main(int(port), msgspec.json.decode(target, type=Target), int(size)))
        return 0
    if args.quick:
        args.sizes, args.publishes = "200", 5
    sizes = [int(s) for s in args.sizes.split(",")]
    header("SSE fan-out bench")
    from tests.support.redis_server import RedisServer

    report = Report("sse_fanout")
    redis = RedisServer()
    redis.start()
    try:
        with tempfile.TemporaryDirectory(prefix="saekdam-bench-") as tmp:
            env = app_env(Path(tmp) / "var", SAEKDAM_REDIS_URL=redis.url)
            use_env(env)
            from app.core.db import run_migrations

            with contextlib.redirect_stdout(io.StringIO()):
                run(run_migrations())
            print(f"  one uvicorn process each; clients in one separate process; {args.publishes} publishes per N")
            for size in sizes:
                ours = measure("ours", size, args.publishes, redis.url, env)
                bare = measure("bare", size, args.publishes, redis.url, env)
                report_size(report, ours, bare)
    finally:
        redis.close()
    report.note("memory = server RSS growth / N; latency = publish (Redis) → the N-th client read the frame")
    if STREAMS_GOAL not in sizes:
        report.note(f"the {STREAMS_GOAL}-stream goal needs --sizes including {STREAMS_GOAL}")
    report.write(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
