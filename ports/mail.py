"""The mail port: messages to a user's address (password reset links)."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    description: str
    """Where mail goes, for the start-up log ("smtp://host:port", "the log")."""

    async def send(self, message: MailMessage) -> None:
        """Hands the message to the mail server. Raises domain.errors.ServiceUnavailable when
        the server cannot be reached or refuses it."""
