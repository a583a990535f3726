"""The realtime voice port: short-lived credentials a client uses to talk to a realtime
speech-to-speech model directly, so that the API key never leaves the server."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class RealtimeToken:
    value: str
    expires_at: datetime
    model: str
    provider: str


class RealtimeTokenIssuer(Protocol):
    provider: str

    async def issue(self, *, instructions: str) -> RealtimeToken:
        """A token for one session with the tutor's `instructions`. Raises
        ServiceUnavailable when the provider fails."""
