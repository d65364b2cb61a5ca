"""A real ``moto_server`` (S3 double) on a free loopback port, for tests of the S3 store.

moto serves presigned URLs but does not verify signatures, expiry, content types or sizes: the local
store's tests are the strict ones for signed URLs.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _moto_executable() -> str:
    beside_python = Path(sys.executable).with_name("moto_server")
    found = str(beside_python) if beside_python.exists() else shutil.which("moto_server")
    if not found:
        raise RuntimeError("moto_server not found: install the test extras (pip install -e '.[test]')")
    return found


@contextmanager
def moto_server(timeout_s: float = 30.0) -> Iterator[str]:
    """Start moto_server, wait until it answers, yield its endpoint URL, stop it at the end."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([_moto_executable(), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"moto_server exited with {proc.returncode}: {log.read()[-2000:]!r}")
                try:
                    httpx.get(endpoint + "/", timeout=1.0)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"moto_server did not answer on {endpoint} within {timeout_s}s") from None
                    time.sleep(0.1)
            yield endpoint
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
