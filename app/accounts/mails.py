"""The mails the accounts domain sends, in the reader's language (Korean by default, English)."""

from __future__ import annotations

from app.core.i18n import translate
from app.core.mail import Mail


def password_reset(to: str, nickname: str, link: str, minutes: int, lang: str) -> Mail:
    return Mail(
        to=to,
        subject=translate(lang, "mail_reset_subject"),
        text=translate(lang, "mail_reset_body", nickname=nickname, link=link, minutes=minutes),
    )
