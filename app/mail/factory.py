"""Picks how mail leaves this process: SMTP when ``SAEKDAM_SMTP_HOST`` is set, else the outbox folder."""

from __future__ import annotations

import logging

from app.core.mail import Mailer
from app.core.settings import Settings

log = logging.getLogger("saekdam.mail")


def create_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        from app.mail.smtp import SmtpMailer

        return SmtpMailer(settings)
    from app.mail.outbox import OutboxMailer

    if not settings.embedded:
        log.warning(
            "SAEKDAM_SMTP_HOST is not set: mail is written to %s on this host only", settings.var_dir / "outbox"
        )
    return OutboxMailer(settings.var_dir / "outbox", settings.mail_from)
