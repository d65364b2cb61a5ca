"""No SMTP server set: each mail becomes an .eml file under var/outbox/, and its links go to the log, so the
operator of a one-machine install can still pass a reset link on (the embedded default)."""

from __future__ import annotations

import logging
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import anyio.to_thread

from app.core.mail import Mail, MailError
from app.mail.message import to_message

log = logging.getLogger("saekdam.mail")
LINK = re.compile(r"https?://\S+")


class OutboxMailer:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def _write(self, name: str, data: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        temporary = path.with_suffix(".tmp")
        with open(temporary, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)  # readers never see half a mail
        return path

    async def send(self, mail: Mail) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        try:
            path = await anyio.to_thread.run_sync(self._write, name, bytes(to_message(mail, self.sender)))
        except OSError as exc:
            raise MailError(f"could not write the outbox: {exc}") from exc
        links = " ".join(LINK.findall(mail.text)) or "(none)"
        log.warning("no SMTP server set: mail to %s (%s) written to %s; links: %s", mail.to, mail.subject, path, links)

    async def close(self) -> None:
        return None
