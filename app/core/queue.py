"""The job queue interface: in-process (embedded) or arq on Redis (distributed).

A job is a task id; the queue never holds the same task twice.
"""

from __future__ import annotations

from typing import Protocol


class JobQueue(Protocol):
    async def enqueue(self, task_id: str) -> bool:
        """Queue the task's paint job; False when it is already queued (the task id is the job id)."""
        ...

    async def position(self, task_id: str) -> int | None:
        """0-based place in line of a queued task, None when it is not waiting."""
        ...

    async def depth(self) -> int:
        """How many jobs wait."""
        ...

    async def remove(self, task_id: str) -> None:
        """Drop a waiting job (cancel of a queued task)."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
