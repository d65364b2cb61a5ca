"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts, with SMTP AUTH."""

from __future__ import annotations

import asyncio
import re
import time
import warnings
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.server import free_port

USER, PASSWORD = "saekdam-mail", "mail-secret-123"

LINK = re.compile(r"https?://\S+")


class _Keep:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert session.authenticated, "the app sent mail without logging in"
        content = envelope.original_content or envelope.content
        message = message_from_bytes(content if isinstance(content, bytes) else content.encode(), policy=policy.default)
        self.messages.append((str(envelope.mail_from), list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def _authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=ok)


class _Controller(Controller):
    def factory(self) -> SMTP:
        # loopback only: AUTH without TLS is what the app's smtp_tls=none does here, not a risk
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return super().factory()


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.keep = _Keep()
        self.controller = _Controller(
            self.keep,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=_authenticator,
            auth_require_tls=False,
            auth_required=True,
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def settings(self) -> dict[str, str]:
        """The app's settings to send through this server."""
        return {
            "SAEKDAM_SMTP_HOST": "127.0.0.1",
            "SAEKDAM_SMTP_PORT": str(self.port),
            "SAEKDAM_SMTP_TLS": "none",
            "SAEKDAM_SMTP_USER": USER,
            "SAEKDAM_SMTP_PASSWORD": PASSWORD,
            "SAEKDAM_MAIL_FROM": "색담 Saekdam <no-reply@saekdam.test>",
        }

    def to(self, address: str) -> list[EmailMessage]:
        return [m for _, rcpt, m in self.keep.messages if address in rcpt]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 15) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"no mail to {address} within {timeout} s (got {len(self.to(address))})")


def body_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def first_link(message: EmailMessage) -> str:
    found = LINK.findall(body_text(message))
    assert found, body_text(message)
    return str(found[0])
