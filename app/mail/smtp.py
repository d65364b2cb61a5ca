"""Mail through an SMTP server (aiosmtplib): one connection per message, TLS as the settings say."""

from __future__ import annotations

import logging

import aiosmtplib

from app.core.mail import Mail, MailError
from app.core.settings import Settings
from app.mail.message import to_message

log = logging.getLogger("saekdam.mail")


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, mail: Mail) -> None:
        s = self.settings
        message = to_message(mail, s.mail_from)
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user or None,
                password=s.smtp_password or None,
                use_tls=s.smtp_tls == "tls",
                start_tls=s.smtp_tls == "starttls",
                timeout=s.smtp_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailError(f"SMTP {s.smtp_host}:{s.smtp_port} refused or unreachable: {exc}") from exc
        log.info("mail %s sent to %s through %s", message["Message-ID"], mail.to, s.smtp_host)

    async def close(self) -> None:
        return None
