"""Mail off the request path: ``send_later`` returns at once, the message is built and sent in the background.

Building is part of the background work on purpose: a caller that must not reveal whether an address has an
account (password reset) schedules the same call either way and answers in the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from app.core.mail import Mail, Mailer

log = logging.getLogger("saekdam.mail")

Build = Callable[[], Awaitable[Mail | None]]


class Outbound:
    def __init__(self, mailer: Mailer, attempts: int = 3, retry_delay_s: float = 2.0) -> None:
        self.mailer = mailer
        self.attempts = attempts
        self.retry_delay_s = retry_delay_s
        self._pending: set[asyncio.Task[None]] = set()

    def send_later(self, build: Build) -> None:
        """Run ``build()`` and send what it returns (None = nothing to send); failures are logged."""
        task = asyncio.create_task(self._run(build), name="saekdam-mail")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _run(self, build: Build) -> None:
        try:
            mail = await build()
        except Exception:
            log.exception("could not build a mail")
            return
        if mail is None:
            return
        for attempt in range(1, self.attempts + 1):
            try:
                await self.mailer.send(mail)
                return
            except Exception as exc:
                if attempt == self.attempts:
                    log.error("mail to %s (%s) not sent after %d attempts: %s", mail.to, mail.subject, attempt, exc)
                    return
                log.warning("mail to %s failed (attempt %d), retrying: %s", mail.to, attempt, exc)
                await asyncio.sleep(self.retry_delay_s * attempt)

    async def close(self, timeout_s: float = 10.0) -> None:
        """Let mail in flight finish (bounded), then close the mailer."""
        if self._pending:
            done, pending = await asyncio.wait(set(self._pending), timeout=timeout_s)
            for task in pending:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        await self.mailer.close()
