"""The mail port: SMTP against a local server the test starts, and the log's default."""

import logging

import pytest

from adapters.mail.log import LogMailer
from adapters.mail.smtp import SmtpMailer
from domain.errors import ServiceUnavailable
from ports.mail import MailMessage
from tests.support.mail import free_port, smtp_server

MESSAGE = MailMessage("ana@example.com", "Reset your Parla password", "Your reset code: abc")


async def test_smtp_hands_the_message_to_the_server():
    with smtp_server() as (inbox, port):
        mailer = SmtpMailer("127.0.0.1", port, "Parla <no-reply@parla.test>", security="none")
        await mailer.send(MESSAGE)

    (received,) = inbox.messages
    assert received["To"] == "ana@example.com" and received["From"].endswith("parla.test>")
    assert received["Subject"] == MESSAGE.subject
    assert received.get_payload(decode=True).decode().strip() == MESSAGE.text
    assert mailer.description == f"smtp://127.0.0.1:{port}"


async def test_an_unreachable_server_is_unavailable():
    mailer = SmtpMailer("127.0.0.1", free_port(), "no-reply@parla.test", security="none")
    with pytest.raises(ServiceUnavailable):
        await mailer.send(MESSAGE)


async def test_without_a_server_the_message_goes_to_the_log(caplog):
    with caplog.at_level(logging.WARNING, logger="adapters.mail.log"):
        await LogMailer().send(MESSAGE)
    assert "Your reset code: abc" in caplog.text and "ana@example.com" in caplog.text
