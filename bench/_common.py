"""Shared bench plumbing: percentiles, result files, server subprocesses and a light HTTP load client.

Every bench prints a human summary and writes ``bench/results/<name>.json`` (read by ``run_all.py``), so
figures, baselines, ratios and goals are recorded in one shape. Servers run as subprocesses under the same
uvicorn options (uvloop, httptools, no access log) so the app and its bare baseline are served alike; the
load client is raw asyncio sockets, because httpx costs more CPU per request than the servers under test.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS_DIR = ROOT / "bench" / "results"
PY = sys.executable


# ------------------------------------------------------------------------------------------- numbers


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100): p99 of 100 samples is the 99th, not an interpolation."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ------------------------------------------------------------------------------------------- results


@dataclass
class Figure:
    """One measured figure next to its baseline; ``ratio`` is oriented so that bigger means ours is better
    unless ``ratio_note`` says otherwise."""

    figure: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    ratio: float | None = None
    ratio_note: str = ""
    goal: str = ""
    met: bool | None = None


@dataclass
class Report:
    bench: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}")

    def write(self, args: Any = None) -> Path:
        """Write ``bench/results/<bench>.json`` and print it as the last line (``RESULT-JSON {...}``)."""
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        payload = {
            "bench": self.bench,
            "ok": True,
            "args": vars(args) if args is not None else {},
            "machine": machine_info(),
            "figures": [asdict(f) for f in self.figures],
            "notes": self.notes,
        }
        path = RESULTS_DIR / f"{self.bench}.json"
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        print(f"RESULT-JSON {json.dumps(payload, ensure_ascii=False)}")
        return path


def machine_info() -> dict[str, Any]:
    """What the figures were measured on, including the load other processes put on the CPUs."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import psutil

        ram_gib = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        ram_gib = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram_gib,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def header(title: str) -> None:
    info = machine_info()
    print(
        f"{title} — {info['cores']} CPUs ({info['cpu']}), load average {info['load_avg_1m']}, Python {info['python']}"
    )


# ------------------------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raise_nofile(wanted: int = 65536) -> int:
    """Lift the soft open-files limit as far as the hard limit allows; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def uvicorn_args(spec: str, port: int, *, factory: bool = False) -> list[str]:
    """The one uvicorn command line every bench server uses (app and baselines alike)."""
    args = [
        PY,
        "-m",
        "uvicorn",
        spec,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--backlog",
        "4096",
        "--timeout-keep-alive",
        "60",
    ]
    return [*args, "--factory"] if factory else args


class ServerProcess:
    """A server subprocess (output to a temp log shown on failure) that is ready once ``ready_path`` answers."""

    def __init__(
        self, args: list[str], env: dict[str, str] | None = None, *, port: int, name: str, ready_path: str = "/healthz"
    ) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.ready_path = ready_path
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115  # the server's log while it runs: stop() closes it
            prefix=f"bench-{name}-", suffix=".log", delete=False
        )
        self.log_path = Path(self._log.name)
        full_env = {**os.environ, **(env or {})}
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH", "")]))
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=lambda: raise_nofile()
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_ready(self, timeout_s: float = 120.0) -> ServerProcess:
        import httpx

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout_s}s:\n{self.log()}")

    def cpu_s(self) -> float:
        """User + system CPU seconds the server process used so far (its own, not the host's load)."""
        import psutil

        times = psutil.Process(self.proc.pid).cpu_times()
        return float(times.user + times.system)

    def rss(self) -> int:
        import psutil

        return int(psutil.Process(self.proc.pid).memory_info().rss)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and self.proc.poll() is not None:
            print(f"--- {self.name} log\n{self.log()}", file=sys.stderr)
        self.stop()


def app_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """SAEKDAM_* settings for a fresh embedded app under ``var_dir`` (tiny models, cheap password hashing:
    sign-ups are set-up here, never measured). Set before the first import of ``app`` settings."""
    env = {
        "SAEKDAM_VAR_DIR": str(var_dir),
        "SAEKDAM_SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "SAEKDAM_PASSWORD_ITERATIONS": "1000",
        "SAEKDAM_MODELS": "tiny",
        "SAEKDAM_MODELS_DIR": str(ROOT / "var" / "models"),
        "SAEKDAM_DEFAULT_LANGUAGE": "en",
        # load comes from one address and a few users: the per-client caps (issue 17) would refuse it
        "SAEKDAM_STREAMS_PER_USER": "1000000",
        "SAEKDAM_STREAMS_PER_ADDRESS": "1000000",
        "SAEKDAM_MAX_OPEN_TASKS": "1000000",
        "SAEKDAM_MAX_OPEN_UPLOAD_BYTES": str(10**12),
    }
    env.update(extra)
    return env


def use_env(env: dict[str, str]) -> None:
    """Apply settings to this process (before ``app`` is imported: settings and the engine are cached)."""
    for key in ("SAEKDAM_DATABASE_URL", "SAEKDAM_REDIS_URL", "SAEKDAM_S3_BUCKET"):
        os.environ.pop(key, None)
    os.environ.update(env)


# ------------------------------------------------------------------------------------------- HTTP load


def request_bytes(path: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    if status in (204, 304):  # no body, and no Content-Length needed
        return status, b""
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        raise RuntimeError(f"response without Content-Length: {head[:200]!r}")
    end = lower.index(b"\r\n", at + 2)
    body = await reader.readexactly(int(lower[at + 17 : end]))
    return status, body


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


async def _connection(port: int, requests: list[bytes], latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**22)
    try:
        for raw in requests:
            start = time.perf_counter()
            writer.write(raw)
            status, _ = await _read_response(reader)
            latencies.append(time.perf_counter() - start)
            if status not in (200, 304):  # 304: a conditional GET answered from the client's copy
                errors[0] += 1
    finally:
        writer.close()


async def run_load(port: int, paths: Sequence[bytes], total: int, concurrency: int) -> LoadResult:
    """``total`` keep-alive GETs over ``concurrency`` connections, cycling through the prepared requests."""
    latencies: list[float] = []
    errors = [0]
    per = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
    plans = [[paths[(c * 7919 + k) % len(paths)] for k in range(n)] for c, n in enumerate(per)]
    start = time.perf_counter()
    await asyncio.gather(*(_connection(port, plan, latencies, errors) for plan in plans))
    return LoadResult(total, time.perf_counter() - start, latencies, errors[0])


async def fetch_body(port: int, raw: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**22)
    try:
        writer.write(raw)
        return await _read_response(reader)
    finally:
        writer.close()


def new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


def run(coro: Any) -> Any:
    """asyncio.run on uvloop (the load client must not be the bottleneck)."""
    loop = new_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()
