"""The open-files limit is raised at start-up, and the log names it when it cannot be."""

from __future__ import annotations

import logging
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.core import fdlimit

ROOT = Path(__file__).resolve().parents[2]


def _in_child(code: str) -> subprocess.CompletedProcess[str]:
    """Limits changed in a child: a lowered hard limit cannot be raised again by this test process."""
    prelude = "import logging, resource, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout)\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_soft_limit_goes_up_to_the_hard_limit() -> None:
    done = _in_child("""
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        from app.core.fdlimit import raise_open_files_limit
        print("RESULT", raise_open_files_limit(), resource.getrlimit(resource.RLIMIT_NOFILE)[0], hard)
    """)
    assert done.returncode == 0, done.stderr
    result, now, hard = next(line for line in done.stdout.splitlines() if line.startswith("RESULT")).split()[1:]
    assert result == now
    expected = int(hard) if int(hard) != resource.RLIM_INFINITY else min(fdlimit._nr_open(), 1_048_576)
    assert int(now) == expected > 256


def test_a_low_hard_limit_is_named_in_a_warning() -> None:
    done = _in_child("""
        resource.setrlimit(resource.RLIMIT_NOFILE, (512, 2048))
        from app.core.fdlimit import raise_open_files_limit
        print("RESULT", raise_open_files_limit())
    """)
    assert done.returncode == 0, done.stderr
    assert "RESULT 2048" in done.stdout
    assert "WARNING" in done.stdout and "open-files limit: 2048 (the hard limit 2048)" in done.stdout


def test_a_refused_raise_is_logged_with_both_limits(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    soft, hard = 1024, 4096
    monkeypatch.setattr(resource, "getrlimit", lambda _: (soft, hard))

    def refuse(*_: object) -> None:
        raise ValueError("not allowed")

    monkeypatch.setattr(resource, "setrlimit", refuse)
    with caplog.at_level(logging.WARNING, logger="saekdam.limits"):
        assert fdlimit.raise_open_files_limit() == soft
    assert "could not raise the soft limit 1024 to the hard limit 4096 (not allowed)" in caplog.text


def test_nothing_to_do_when_already_at_the_hard_limit(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda _: (65536, 65536))
    monkeypatch.setattr(resource, "setrlimit", lambda *_: pytest.fail("setrlimit called"))
    with caplog.at_level(logging.INFO, logger="saekdam.limits"):
        assert fdlimit.raise_open_files_limit() == 65536
    assert caplog.text == ""
