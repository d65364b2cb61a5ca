"""Choose the event bus from settings; only composition roots call this.

Both buses build without I/O. ``RedisEventBus`` starts its one listener on the first ``subscribe`` (or
``await bus.start()`` to connect eagerly); call ``await bus.close()`` at shutdown.
"""

from __future__ import annotations

from app.core.events import EventBus
from app.core.settings import Settings
from app.events.memory import MemoryEventBus
from app.events.redis import RedisEventBus


def create_event_bus(settings: Settings) -> EventBus:
    """Redis when ``redis_url`` is set (events cross processes), else in-process memory."""
    if settings.redis_url:
        return RedisEventBus(settings.redis_url)
    return MemoryEventBus()
