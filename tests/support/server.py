"""Real server processes for tests: ``saekdam serve`` / ``saekdam worker`` on loopback, like a user runs them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    """A child process whose output goes to a log file that a failing test can show."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115  # the server's output while it runs: stop() closes it
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self, sig_kill: bool = False) -> None:
        if self.proc.poll() is None:
            self.proc.kill() if sig_kill else self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class Server(Process):
    def __init__(self, env: dict[str, str], log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**env, "SAEKDAM_PORT": str(self.port), "SAEKDAM_PUBLIC_URL": self.url}
        super().__init__([sys.executable, "-m", "app", "serve", "--port", str(self.port)], env, log_path)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.log()}")


def start_server(log_dir: Path, name: str = "server", **env: str) -> Server:
    server = Server({**os.environ, **env}, log_dir / f"{name}.log")
    server.wait_ready()
    return server


def start_worker(log_dir: Path, name: str = "worker", **env: str) -> Process:
    return Process(
        [sys.executable, "-m", "app", "worker", "--name", name], {**os.environ, **env}, log_dir / f"{name}.log"
    )


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def server(log_dir: Path) -> Iterator[Server]:
    """The embedded default: one ``saekdam serve`` process with SQLite (or the test PostgreSQL)."""
    srv = start_server(log_dir)
    yield srv
    srv.stop()


@pytest.fixture
async def client(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        yield http
