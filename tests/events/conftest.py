"""Every bus test runs on MemoryEventBus and on RedisEventBus (the shared test Redis, own key prefix).

``redis_url``, ``redis_prefix`` and ``private_redis`` come from tests/support/fixtures.py (a plugin of
tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from app.core.events import EventBus
from app.events.memory import MemoryEventBus
from app.events.redis import RedisEventBus

MakeBus = Callable[..., Any]


@pytest.fixture(params=["memory", "redis"])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[MakeBus]:
    """``make_bus(**options)`` builds a bus of this test's kind; Redis buses of one test share channels
    (like several processes), memory buses do not. All are closed afterwards."""
    created: list[EventBus] = []
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")

    def make(**options: Any) -> EventBus:
        if request.param == "memory":
            options.pop("retry_s", None)
            bus: EventBus = MemoryEventBus(**options)
        else:
            bus = RedisEventBus(url, prefix=prefix, client_name="saekdam-test-" + prefix.strip(":"), **options)
        created.append(bus)
        return bus

    make.kind = request.param  # type: ignore[attr-defined]
    yield make
    for bus in created:
        await bus.close()


@pytest.fixture
def bus(make_bus: MakeBus) -> EventBus:
    return make_bus()
