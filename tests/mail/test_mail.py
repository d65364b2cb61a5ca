"""app/mail: SMTP through a real server on loopback (aiosmtpd), the outbox folder without one, and the
background sender that the password reset (and later notices) use."""

from __future__ import annotations

import asyncio
import logging
from email import message_from_bytes, policy
from pathlib import Path

import msgspec
import pytest

from app.core.mail import Mail, MailError
from app.core.settings import load_settings
from app.mail import Outbound, create_mailer
from app.mail.outbox import OutboxMailer
from app.mail.smtp import SmtpMailer
from tests.support.smtp import SmtpServer, body_text

MAIL = Mail(
    to="friend@example.com", subject="[색담] 안녕하세요", text="벽화가 완성됐어요: http://127.0.0.1:8000/tasks/abc\n"
)


@pytest.fixture(scope="module")
def smtp() -> SmtpServer:
    server = SmtpServer()
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


async def test_smtp_delivers_utf8_mail_with_auth(smtp: SmtpServer) -> None:
    mailer = create_mailer(load_settings(smtp.settings, None))
    assert isinstance(mailer, SmtpMailer)
    await mailer.send(MAIL)
    message = (await smtp.wait_for(MAIL.to))[-1]
    assert message["Subject"] == MAIL.subject and message["From"] == "색담 Saekdam <no-reply@saekdam.test>"
    assert body_text(message).replace("\r\n", "\n") == MAIL.text and message["Message-ID"].endswith("@saekdam.test>")


async def test_smtp_refusals_and_outages_raise_mail_error(smtp: SmtpServer) -> None:
    wrong = SmtpMailer(
        load_settings({**smtp.settings, "SAEKDAM_SMTP_PASSWORD": "wrong", "SAEKDAM_SMTP_TIMEOUT_S": "2"}, None)
    )
    with pytest.raises(MailError):
        await wrong.send(MAIL)
    closed = SmtpMailer(load_settings({**smtp.settings, "SAEKDAM_SMTP_PORT": "9", "SAEKDAM_SMTP_TIMEOUT_S": "2"}, None))
    with pytest.raises(MailError):
        await closed.send(MAIL)


async def test_without_smtp_mail_goes_to_the_outbox_and_its_links_to_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mailer = create_mailer(load_settings({"SAEKDAM_VAR_DIR": str(tmp_path)}, None))
    assert isinstance(mailer, OutboxMailer)
    with caplog.at_level(logging.WARNING, logger="saekdam.mail"):
        await mailer.send(MAIL)
    (path,) = list((tmp_path / "outbox").glob("*.eml"))
    assert not list((tmp_path / "outbox").glob("*.tmp"))
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == MAIL.to and body_text(message) == MAIL.text  # type: ignore[arg-type]
    assert "http://127.0.0.1:8000/tasks/abc" in caplog.text and str(path) in caplog.text


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures, self.sent = failures, []  # type: ignore[var-annotated]

    async def send(self, mail: Mail) -> None:
        if self.failures:
            self.failures -= 1
            raise MailError("down")
        self.sent.append(mail)

    async def close(self) -> None:
        pass


async def test_outbound_sends_in_the_background_retries_and_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky(failures=2)
    outbound = Outbound(flaky, attempts=3, retry_delay_s=0.01)

    async def build() -> Mail:
        return MAIL

    async def nothing() -> None:
        return None

    outbound.send_later(build)
    outbound.send_later(nothing)  # nothing to send: fine
    await outbound.close()
    assert flaky.sent == [MAIL]
    down = Outbound(Flaky(failures=10), attempts=2, retry_delay_s=0.01)
    with caplog.at_level(logging.ERROR, logger="saekdam.mail"):
        down.send_later(build)
        await asyncio.sleep(0.2)
    assert "not sent after 2 attempts" in caplog.text
    await down.close()
    assert msgspec.json.decode(msgspec.json.encode(MAIL), type=Mail) == MAIL
