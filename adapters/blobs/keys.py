"""What a blob key may be, in every store: slash-separated names, none empty or hidden, so
that a key never leaves the store's root (`..`, `/etc`) nor names the local store's own
files (`.<name>.type`)."""

from domain.errors import InvalidInput


def key_parts(key: str) -> list[str]:
    """The names of `key`; InvalidInput for a key no store accepts."""
    parts = key.split("/")
    if any(not p or p.startswith(".") for p in parts):
        raise InvalidInput(f"Invalid blob key: {key!r}")
    return parts
