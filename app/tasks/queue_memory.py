"""The embedded queue: an in-process line of task ids worked by one consumer (one painter per process)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("saekdam.queue")


class InProcessQueue:
    def __init__(self) -> None:
        self._pending: list[str] = []
        self._current: str | None = None
        self._wake = asyncio.Event()
        self._consumer: asyncio.Task[None] | None = None

    def start(self, handler: Callable[[str], Awaitable[object]]) -> None:
        self._consumer = asyncio.create_task(self._consume(handler), name="saekdam-queue")

    async def _consume(self, handler: Callable[[str], Awaitable[object]]) -> None:
        while True:
            while not self._pending:
                self._wake.clear()
                await self._wake.wait()
            self._current = self._pending.pop(0)
            try:
                await handler(self._current)
            except Exception:  # the handler records failures on the task; the line must go on
                log.exception("job %s crashed", self._current)
            finally:
                self._current = None

    async def enqueue(self, task_id: str) -> bool:
        if task_id in self._pending or task_id == self._current:
            return False
        self._pending.append(task_id)
        self._wake.set()
        return True

    async def position(self, task_id: str) -> int | None:
        return self._pending.index(task_id) if task_id in self._pending else None

    async def depth(self) -> int:
        return len(self._pending)

    async def remove(self, task_id: str) -> None:
        with contextlib.suppress(ValueError):
            self._pending.remove(task_id)

    async def ping(self) -> None:
        if self._consumer is not None and self._consumer.done():
            raise RuntimeError("the in-process queue consumer stopped")

    async def close(self) -> None:
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(BaseException):
                await self._consumer
