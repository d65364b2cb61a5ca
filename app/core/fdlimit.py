"""The open-files limit: every SSE stream or WebSocket holds a socket, so a process capped at the usual soft
limit of 1,024 refuses streams long before its memory or CPU would. Raised to the hard limit at start-up."""

from __future__ import annotations

import logging

log = logging.getLogger("saekdam.limits")

# Linux refuses an "unlimited" RLIMIT_NOFILE (the kernel caps it at fs.nr_open); ask for this much then
_UNLIMITED_TARGET = 1_048_576
# below this many descriptors a process cannot hold the streams the service is sized for (issue 16: 10,000)
LOW_LIMIT = 16_384


def _nr_open() -> int:
    try:
        with open("/proc/sys/fs/nr_open") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return _UNLIMITED_TARGET


def raise_open_files_limit() -> int | None:
    """Lift this process's soft RLIMIT_NOFILE to its hard limit; returns the soft limit in force after.

    Where it cannot (no ``resource`` module, a refused ``setrlimit``) or the hard limit itself is low, a
    warning names the limit, so "too many open files" under load has its cause in the log. None: unknown.
    """
    try:
        import resource
    except ImportError:  # not a POSIX system
        log.warning("open-files limit: unknown on this OS (no resource module); streams may be capped by it")
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else min(_nr_open(), _UNLIMITED_TARGET)
    if soft == resource.RLIM_INFINITY or (target != resource.RLIM_INFINITY and soft >= target):
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:
        log.warning(
            "open-files limit: could not raise the soft limit %d to the hard limit %s (%s); this process "
            "holds at most about %d streams and connections",
            soft,
            _show(hard),
            exc,
            soft,
        )
        return soft
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft < LOW_LIMIT:
        log.warning(
            "open-files limit: %d (the hard limit %s); this process holds at most about %d streams and "
            "connections: raise the hard limit (ulimit -Hn, LimitNOFILE=) for more",
            soft,
            _show(hard),
            soft,
        )
    else:
        log.info("open-files limit raised to %d", soft)
    return soft


def _show(limit: int) -> str:
    import resource

    return "unlimited" if limit == resource.RLIM_INFINITY else str(limit)
