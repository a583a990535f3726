"""What a blob key may be, in every store: slash-separated names, none empty or hidden, so
that a key never leaves the store's root (`..`, `/etc`) nor names the local store's own
files (`.<name>.type`)."""

from urllib.parse import unquote, urlsplit, urlunsplit

from domain.errors import InvalidInput


def key_parts(key: str) -> list[str]:
    """The names of `key`; InvalidInput for a key no store accepts."""
    parts = key.split("/")
    if any(not p or p.startswith(".") for p in parts):
        raise InvalidInput(f"Invalid blob key: {key!r}")
    return parts


def key_in_link(url: str, link_prefix: str) -> str | None:
    """The key that `url` names in a store whose links are `link_prefix`, the key
    percent-encoded, then a query (whatever its signature or expiry); `url` may be the key
    itself. None for a link of anything else, or a key no store accepts."""
    if "://" in url:  # never in a key: "a://b" holds an empty name
        parts = urlsplit(url)
        link = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        if not link.startswith(link_prefix):
            return None
        url = unquote(link.removeprefix(link_prefix))
    try:
        key_parts(url)
    except InvalidInput:
        return None
    return url
