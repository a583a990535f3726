"""Session revocations held in this process (one Gateway replica)."""

import time
from datetime import datetime
from uuid import UUID


class InMemorySessionRevocations:
    def __init__(self) -> None:
        self._until: dict[UUID, float] = {}

    async def revoke(self, session_id: UUID, until: datetime) -> None:
        self._forget_expired()
        self._until[session_id] = until.timestamp()

    async def is_revoked(self, session_id: UUID) -> bool:
        until = self._until.get(session_id)
        return until is not None and until > time.time()

    def _forget_expired(self) -> None:
        now = time.time()
        for session_id in [s for s, until in self._until.items() if until <= now]:
            del self._until[session_id]
