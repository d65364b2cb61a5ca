"""Where a paint job's time goes on the worker, phase by phase: logged once per job (and read by
bench/worker.py), so a fixed cost around the painter shows up with its name instead of as "slow jobs"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import msgspec

LOG_MARK = "job timings "  # the log line's prefix before the JSON (bench/worker.py looks for it)


class JobTimings:
    """Seconds per phase (summed when a phase repeats, e.g. per-step progress) and how often each ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.painter_s: float | None = None  # the painter's own time (its run_job), from its result
        self.started = time.perf_counter()

    def add(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds
        self.counts[phase] = self.counts.get(phase, 0) + 1

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - began)

    def encode(self, task_id: str, status: str) -> str:
        """One JSON object: the task, its end, the total, the painter's share and each phase (ms)."""
        return msgspec.json.encode(
            {
                "task": task_id,
                "status": status,
                "total_ms": round((time.perf_counter() - self.started) * 1000, 1),
                "painter_ms": None if self.painter_s is None else round(self.painter_s * 1000, 1),
                "phases_ms": {k: round(v * 1000, 1) for k, v in self.seconds.items()},
                "counts": self.counts,
            }
        ).decode()
