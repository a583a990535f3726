"""Rate limits: how many requests of one kind a client may make in a window of time."""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Rate:
    """`amount` requests in any window of `window_seconds` (a moving window)."""

    amount: int
    window_seconds: int


@dataclass(frozen=True)
class Allowance:
    """The answer to one request: whether it is allowed, how many more the window takes
    (after this one), and in how many seconds the window next frees a request (0 when it
    has room)."""

    allowed: bool
    remaining: int
    reset_seconds: int


class RateLimiter(Protocol):
    async def hit(self, rate: Rate, key: str) -> Allowance:
        """Counts one request for `key` against `rate` when the window has room for it;
        a refused request is not counted. Counts are shared by every process that shares
        the limiter's store. Raises domain.errors.ServiceUnavailable when the store is
        down."""
        ...

    async def aclose(self) -> None: ...
