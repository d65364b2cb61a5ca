"""CPU-bound steps on the request path (password hashing, decoding uploaded photos) run here, off the loop.

A few seconds of PBKDF2 or a 40-megapixel decode on the event loop stalls every other request of the process.
They run in a small pool of threads instead: at most ``cpu_threads`` at once (default: one per core but one, which
is left to the loop; the rest wait their turn without holding anything), each thread at a lower scheduling
priority (``cpu_nice``; on Linux ``os.nice`` in a thread changes only that thread) so that the loop's thread wins
the CPU when both want it.
hashlib and Pillow release the GIL while they work, so the loop keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

log = logging.getLogger("saekdam.cpu")

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_NICE = 10

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_threads = 0
_nice = DEFAULT_NICE


def _lower_priority(nice: int) -> None:
    """Runs once in each new pool thread: on Linux a thread's niceness is its own."""
    if nice <= 0:
        return
    try:
        os.nice(nice)
    except OSError:  # not allowed here: the bound on threads still keeps the loop answering
        log.debug("could not lower the priority of a CPU thread", exc_info=True)


def default_threads() -> int:
    """One per core but the one the event loop needs; at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


def configure(threads: int = 0, nice: int = DEFAULT_NICE) -> None:
    """Size the pool (0 = ``default_threads()``) and the threads' niceness; replaces the pool when they change."""
    global _pool, _threads, _nice
    size = threads if threads > 0 else default_threads()
    with _lock:
        if _pool is not None and (_threads, _nice) == (size, nice):
            return
        old, _pool, _threads, _nice = _pool, None, size, nice
    if old is not None:
        old.shutdown(wait=False)


def _executor() -> ThreadPoolExecutor:
    global _pool, _threads
    with _lock:
        if _pool is None:
            _threads = _threads or default_threads()
            _pool = ThreadPoolExecutor(
                max_workers=_threads, thread_name_prefix="saekdam-cpu", initializer=_lower_priority, initargs=(_nice,)
            )
        return _pool


def limit() -> int:
    """How many CPU steps run at once."""
    _executor()
    return _threads


async def run_cpu(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a CPU thread; waits in line when all are busy. Context variables carry over."""
    ctx = contextvars.copy_context()
    call = functools.partial(ctx.run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(), call)
