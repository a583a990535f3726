"""Mail through an SMTP server (aiosmtplib)."""

from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from domain.errors import ServiceUnavailable
from ports.mail import MailMessage


class SmtpMailer:
    """Implements ports.mail.Mailer: one connection per message (reset mail is rare)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        security: Literal["starttls", "tls", "none"] = "starttls",
        timeout_seconds: float = 20,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username, password
        self._security = security
        self._timeout = timeout_seconds
        self.description = f"smtp://{host}:{port}"

    async def send(self, message: MailMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail.set_content(message.text)
        try:
            await aiosmtplib.send(
                mail,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                use_tls=self._security == "tls",
                start_tls=self._security == "starttls",
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            raise ServiceUnavailable(
                f"The mail server {self.description} refused or failed: {error}"
            ) from error
