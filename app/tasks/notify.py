"""Mail on completion (issue 20, "done while away"): a task whose owner asked for it on the task page gets one
mail when it succeeds or fails, in the language of the opt-in, with the link to its page.

``TaskService.transition`` calls ``CompletionMails.finished`` once per task (the terminal transition is atomic),
in whichever process finished it (the API in the embedded default, a worker otherwise); sending is off the
painting path (``Outbound.send_later``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from app.core.i18n import translate
from app.core.mail import Mail
from app.tasks.tables import Task as TaskRow

log = logging.getLogger("saekdam.tasks")

# owner id → (email, nickname), or None when the owner has no address to write to
Contact = Callable[[int], Awaitable[tuple[str, str] | None]]


def completion_mail(row: TaskRow, to: str, nickname: str, base_url: str) -> Mail:
    lang = row.notify_email or "ko"
    key = "succeeded" if row.status == "succeeded" else "failed"
    link = f"{base_url.rstrip('/')}/tasks/{row.id}"
    return Mail(
        to=to,
        subject=translate(lang, f"mail_done_{key}_subject"),
        text=translate(lang, f"mail_done_{key}_body", nickname=nickname, wish=row.prompt or "", link=link),
    )


class CompletionMails:
    def __init__(self, base_url: str, contact: Contact, send_later: Callable[..., None]) -> None:
        self.base_url = base_url
        self.contact = contact
        self.send_later = send_later

    async def finished(self, row: TaskRow) -> None:
        if not row.notify_email or row.status not in ("succeeded", "failed"):
            return
        owner = int(row.owner)

        async def build() -> Mail | None:
            found = await self.contact(owner)
            if found is None:
                log.info("task %s: owner has no address for the completion mail", row.id)
                return None
            return completion_mail(row, found[0], found[1], self.base_url)

        self.send_later(build)
