"""The worker heartbeat: what each ``saekdam worker`` writes to Redis and the ops page reads."""

from __future__ import annotations

import msgspec

WORKERS_KEY = "saekdam:workers"  # hash: worker name → JSON WorkerStatus
HEARTBEAT_S = 5.0
STALE_AFTER_S = 3 * HEARTBEAT_S  # three missed heartbeats: the worker is probably gone


class WorkerStatus(msgspec.Struct, kw_only=True):
    name: str
    host: str
    pid: int
    device: str
    state: str  # loading | ready | unavailable | stopping
    current_task: str | None
    started_at: float
    last_seen: float
    jobs_done: int = 0
