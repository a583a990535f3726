"""Rules for account data: what counts as a valid email, password, name and avatar URL."""

import re
from urllib.parse import urlsplit

from domain.errors import InvalidInput

# Deliberately simple: one @, a dot in the domain, no spaces. Deliverability is the
# mail server's business, not ours.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EMAIL_MAX_LENGTH = 255
_EMAIL = re.compile(EMAIL_PATTERN)

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
NAME_MAX_LENGTH = 255
AVATAR_URL_MAX_LENGTH = 2048


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
        raise InvalidInput("Invalid email format", {"field": "email"})
    return email


def check_password_strength(password: str) -> None:
    """At least 8 characters with a letter and a digit (the seed's example passes)."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidInput(
            f"Password must be {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters long",
            {"field": "password"},
        )
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        raise InvalidInput(
            "Password must contain at least one letter and one digit", {"field": "password"}
        )


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"Name must be 1 to {NAME_MAX_LENGTH} characters", {"field": "name"})
    return name


def clean_avatar_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(url) > AVATAR_URL_MAX_LENGTH
    ):
        raise InvalidInput("avatar_url must be an http(s) URL", {"field": "avatar_url"})
    return url
