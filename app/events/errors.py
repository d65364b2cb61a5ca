"""Errors of the event buses, shared by the memory and Redis implementations."""

from __future__ import annotations

from app.core.errors import Unavailable


class SubscriptionLagged(Exception):
    """The subscriber fell behind (its queue overflowed, or events may have been missed while Redis was
    away). Its iterator raises this; resubscribe and resync from ``history`` or a fresh snapshot."""

    def __init__(self, channel: str) -> None:
        super().__init__(f"subscription to {channel!r} lagged behind; resync")
        self.channel = channel


class EventBusUnavailable(Unavailable):
    """Redis could not be reached within the short retry; the caller's request fails with 503."""

    code = "events_unavailable"
