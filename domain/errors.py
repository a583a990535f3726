"""Errors a use case or an adapter raises; the HTTP adapter maps each kind to one status code.

`code` is the machine-readable name that clients see in the error body's "error" field."""

from typing import Any


class DomainError(Exception):
    code = "Error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidInput(DomainError):
    code = "ValidationError"


class Unauthenticated(DomainError):
    code = "Unauthorized"


class Forbidden(DomainError):
    code = "Forbidden"


class NotFound(DomainError):
    code = "NotFound"


class Conflict(DomainError):
    code = "Conflict"


class PayloadTooLarge(DomainError):
    code = "PayloadTooLarge"


class Unprocessable(DomainError):
    """The input is well-formed but holds nothing usable (e.g. audio without speech)."""

    code = "UnprocessableEntity"


class NoSpeech(Unprocessable):
    """A recognizer or scorer heard no speech in the audio."""

    def __init__(self, message: str = "No speech could be recognized in the audio") -> None:
        super().__init__(message)


class ServiceUnavailable(DomainError):
    """A provider is down, timed out, or is not configured (details name the setting)."""

    code = "ServiceUnavailable"


class Busy(ServiceUnavailable):
    """Too much of one costly kind of work is under way: refused at once rather than queued,
    the client may retry after `retry_after_seconds`."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, {"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds


class QuotaExceeded(DomainError):
    """The user has used up an allowance (a daily limit); it renews after
    `retry_after_seconds`."""

    code = "TooManyRequests"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message, {"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds


class TooManyRequests(DomainError):
    """A rate limit is spent: the client may retry after `retry_after_seconds`. `limit`,
    `remaining` and `reset_seconds` describe the limit as the RateLimit headers tell it."""

    code = "TooManyRequests"

    def __init__(self, name: str, limit: int, window_seconds: int, retry_after_seconds: int):
        super().__init__(
            f"Rate limit {name} ({limit} per {window_seconds} s) reached; retry in "
            f"{retry_after_seconds} s",
            {"limit": name, "retry_after_seconds": retry_after_seconds},
        )
        self.limit = limit
        self.window_seconds = window_seconds
        self.retry_after_seconds = retry_after_seconds


class NotConfigured(DomainError):
    """The feature needs a provider that no setting enables (details name the setting)."""

    code = "NotImplemented"
