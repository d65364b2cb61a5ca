"""Tiny models built once per session into a temp dir, and one shared painter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

from app.actors.painter import Painter, tiny_config
from app.actors.painter.tiny import make_tiny


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
async def painter(tiny_dir: Path) -> AsyncIterator[Painter]:
    # previews every ``preview_every`` steps, whatever the time: the tests count them
    p = Painter(msgspec.structs.replace(tiny_config(tiny_dir), preview_interval_s=0.0))
    await p.start()
    await p.load()
    yield p
    await p.close()
