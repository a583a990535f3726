"""Language tags as clients send them: one normalization for every route that takes one.
Clients write the same language as "en", "en-US", "en_US" or "EN-us"; each means the same."""

import re

from domain.errors import InvalidInput

# BCP 47's shape without extensions: a language, then an optional script, region and variants.
# An underscore is accepted as the separator because POSIX locales ("en_US") use it.
_TAG = re.compile(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")
MAX_TAG_CHARS = 35  # BCP 47's longest registered tags stay within this


def language_tag(raw: str, field: str = "language") -> str:
    """The canonical form of a language tag: the language in lower case, a script in title
    case, a region in upper case ("EN-us", "en_us" -> "en-US"). InvalidInput for anything
    that is not a tag."""
    text = raw.strip()
    if len(text) > MAX_TAG_CHARS or not _TAG.match(text):
        raise InvalidInput(f"{field} must be a language tag such as en or en-US", {"field": field})
    language, *subtags = text.replace("_", "-").split("-")
    return "-".join([language.lower(), *(_subtag_case(s) for s in subtags)])


def _subtag_case(subtag: str) -> str:
    if len(subtag) == 4 and subtag.isalpha():  # a script, e.g. "Latn"
        return subtag.title()
    if len(subtag) == 2 or (len(subtag) == 3 and subtag.isdigit()):  # a region, "US" or "419"
        return subtag.upper()
    return subtag.lower()


def primary_language(tag: str) -> str:
    """The language of a locale or language tag ("en-GB", "pt_BR" -> "en", "pt")."""
    return tag.replace("_", "-").split("-")[0].lower()
