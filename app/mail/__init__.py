"""Outgoing mail: SMTP through aiosmtplib, or .eml files under var/outbox/ when no SMTP server is set.

Other code builds a :class:`app.core.mail.Mail` and calls ``Outbound.send_later`` (off the request path) or
``Mailer.send`` (when it wants to wait). ``create_mailer(settings)`` picks the implementation.
"""

from app.mail.factory import create_mailer
from app.mail.outbound import Outbound

__all__ = ["Outbound", "create_mailer"]
