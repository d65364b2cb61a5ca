"""The ``saekdam`` command: every sub-command answers ``--help`` (delegated ones parse their own options)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.server import ROOT


@pytest.mark.parametrize("command", ["serve", "worker", "migrate", "createsuperuser", "paint", "models", "train"])
def test_each_command_has_help(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def test_unknown_command_is_refused() -> None:
    done = subprocess.run([sys.executable, "-m", "app", "paintt"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "invalid choice" in done.stderr
