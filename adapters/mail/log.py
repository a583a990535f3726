"""Mail written to the log: the embedded default, so that a reset works on one machine with
no mail server (the operator reads the code in the log)."""

import logging

from ports.mail import MailMessage

logger = logging.getLogger(__name__)


class LogMailer:
    """Implements ports.mail.Mailer. Sends nothing: each message goes to the log whole."""

    description = "the log (SMTP_HOST is not set)"

    async def send(self, message: MailMessage) -> None:
        logger.warning(
            "mail not sent (no SMTP_HOST): to %s, subject %r:\n%s",
            message.to,
            message.subject,
            message.text,
        )
