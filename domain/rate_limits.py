"""How often a client may make each kind of request: the seeds' limits, by name, and the
check every request passes. Which routes take which limit is the HTTP adapter's table."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.errors import InvalidInput, TooManyRequests
from ports.rate_limits import Allowance, Rate, RateLimiter

MINUTE, HOUR, DAY = 60, 3600, 86400


class Counted(StrEnum):
    """Whom a limit counts: a client address (before anyone has logged in, as for login
    itself), or a user (the caller's id; their address when they send no valid token)."""

    IP = "ip"
    USER = "user"


@dataclass(frozen=True)
class RateLimit:
    rate: Rate
    counted: Counted


def _limit(amount: int, window_seconds: int, counted: Counted) -> RateLimit:
    return RateLimit(Rate(amount, window_seconds), counted)


IP, USER = Counted.IP, Counted.USER
LIMITS: dict[str, RateLimit] = {
    # 004's table ("API Rate Limits"); its general rule, 100 a minute per user, is the
    # default of every route that names no other limit.
    "default": _limit(100, MINUTE, USER),
    "login": _limit(10, MINUTE, IP),  # brute force
    "register": _limit(5, MINUTE, IP),  # spam accounts
    "random_speeches": _limit(60, MINUTE, USER),
    "game_results": _limit(60, MINUTE, USER),
    "game_history": _limit(100, MINUTE, USER),
    "scoring": _limit(30, MINUTE, USER),
    "admin": _limit(200, MINUTE, USER),
    # 000's table: the rest of authentication, progress, messaging, sockets and uploads.
    "auth": _limit(10, MINUTE, IP),
    "progress": _limit(100, HOUR, USER),
    "messaging": _limit(1000, HOUR, USER),
    "socket_connections": _limit(5, MINUTE, USER),
    "uploads": _limit(20, HOUR, USER),
    # 003's routes: public catalogue and search by address, quizzes and premium AI by user.
    "catalog": _limit(100, MINUTE, IP),
    "search": _limit(50, MINUTE, IP),
    "quizzes": _limit(50, MINUTE, USER),
    "quiz_submissions": _limit(10, HOUR, USER),
    "quiz_attempts": _limit(20, MINUTE, USER),
    "course_progress": _limit(200, MINUTE, USER),
    "chapter_completions": _limit(100, DAY, USER),
    "streak_resets": _limit(1, DAY, USER),
    "adaptive_learning": _limit(5, DAY, USER),
    "llm_assessment": _limit(10, DAY, USER),
    "premium_synthesis": _limit(3, DAY, USER),
    "mentor_sessions": _limit(2, DAY, USER),
    "premium_usage": _limit(10, MINUTE, USER),
}

_WINDOWS = {"second": 1, "minute": MINUTE, "hour": HOUR, "day": DAY}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$")


def parse_rate(text: str) -> Rate:
    """A rate written as "10/minute", "100 per hour" or "5/10 seconds"; InvalidInput for
    anything else."""
    found = _RATE.match(text.lower())
    if found is None or int(found[1]) < 1 or found[2] == "0":
        raise InvalidInput(
            f"{text!r} is not a rate such as 10/minute or 100 per hour", {"field": "rate"}
        )
    amount, count, unit = found.groups()
    return Rate(int(amount), int(count or 1) * _WINDOWS[unit])


def limits_with(overrides: Mapping[str, str]) -> dict[str, RateLimit]:
    """The limits with some rates replaced (whom each counts stays); InvalidInput for a name
    that is not a limit."""
    unknown = sorted(set(overrides) - set(LIMITS))
    if unknown:
        raise InvalidInput(
            f"No such rate limit: {', '.join(unknown)}; the limits are {', '.join(LIMITS)}",
            {"field": "rate_limits"},
        )
    return {
        name: replace(limit, rate=parse_rate(overrides[name])) if name in overrides else limit
        for name, limit in LIMITS.items()
    }


async def admit(limiter: RateLimiter, name: str, rate: Rate, client: str) -> Allowance:
    """Counts one request of `client` (an address or a user id) against the limit `name`.
    Raises TooManyRequests once the limit is spent."""
    allowance = await limiter.hit(rate, f"{name}:{client}")
    if not allowance.allowed:
        raise TooManyRequests(name, rate.amount, rate.window_seconds, allowance.reset_seconds)
    return allowance
