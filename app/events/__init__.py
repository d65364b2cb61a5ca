"""Numbered, resumable events per channel (``task:<id>``, ``board``): in memory or on Redis.

``create_event_bus(settings)`` picks the bus; ``stream_channel`` is the one resume algorithm for SSE and
WebSocket streams, ``sse_messages``/``to_sse_message`` frame it for Litestar.
"""

from app.events.errors import EventBusUnavailable, SubscriptionLagged
from app.events.factory import create_event_bus
from app.events.memory import MemoryEventBus
from app.events.redis import RedisEventBus
from app.events.sse import parse_last_event_id, sse_messages, stream_channel, to_sse_message

__all__ = [
    "EventBusUnavailable",
    "MemoryEventBus",
    "RedisEventBus",
    "SubscriptionLagged",
    "create_event_bus",
    "parse_last_event_id",
    "sse_messages",
    "stream_channel",
    "to_sse_message",
]
