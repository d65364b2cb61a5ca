"""The mail interface: one outgoing message, and whatever sends it (SMTP, or the outbox folder)."""

from __future__ import annotations

from typing import Protocol

import msgspec


class Mail(msgspec.Struct, kw_only=True, frozen=True):
    """A plain-text message (with an optional HTML alternative) to one address."""

    to: str
    subject: str
    text: str
    html: str | None = None


class MailError(RuntimeError):
    """The message could not be handed over (server unreachable, refused, …)."""


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None:
        """Hand the message over; raise MailError when that failed."""
        ...

    async def close(self) -> None: ...
