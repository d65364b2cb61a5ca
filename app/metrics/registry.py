"""The process's metrics, defined once.

Counters and histograms live in the process that observes them (prometheus_client's default registry):
the API process exposes HTTP latency, open streams and, in embedded mode, the painter's jobs; each
``saekdam worker`` exposes its own jobs on its metrics port. Gauges that describe shared state (queue
depth, tasks by status) are read from the queue and the database at scrape time, so every API process
reports the same truth.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from prometheus_client import Counter, Gauge, Histogram

JOBS = Counter("saekdam_jobs_total", "Paint jobs finished by this process, by final status", ["status"])
JOB_DURATION = Histogram(
    "saekdam_job_duration_seconds",
    "Wall time of one paint job on this process (start to final state)",
    buckets=(0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, float("inf")),
)
STEP_TIME = Histogram(
    "saekdam_step_seconds",
    "Time of one denoising step",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, float("inf")),
)
STREAMS = Gauge("saekdam_stream_clients", "Open event streams (SSE and WebSocket) on this process", ["channel"])
QUEUE_DEPTH = Gauge("saekdam_queue_depth", "Tasks waiting in the paint queue")
TASKS = Gauge("saekdam_tasks", "Tasks in the database by status", ["status"])


def channel_kind(channel: str) -> str:
    """A bounded label: ``task`` or ``board`` (never one label value per task id)."""
    return channel.split(":", 1)[0] if ":" in channel else channel


@contextlib.contextmanager
def open_stream(channel: str) -> Iterator[None]:
    """Count one client's stream for as long as it is open."""
    gauge = STREAMS.labels(channel_kind(channel))
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


class StepTimer:
    """Turns the painter's cumulative (step, elapsed) reports into per-step observations."""

    def __init__(self) -> None:
        self.step = 0
        self.elapsed = 0.0

    def report(self, step: int, elapsed_s: float) -> None:
        if step > self.step:
            STEP_TIME.observe(max(0.0, elapsed_s - self.elapsed) / (step - self.step))
        self.step, self.elapsed = step, elapsed_s
