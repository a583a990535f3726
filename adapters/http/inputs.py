"""Types of request fields, with the bounds the server enforces written into the OpenAPI
schema, so that generated clients send only what is accepted: page numbers and sizes, strict
booleans and numbers (JSON's `0` is not `false`, nor `"5"` a number), and instants that UTC
can hold."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, Strict
from starlette.requests import HTTPConnection

from domain.errors import InvalidInput
from domain.paging import MAX_PAGE, MAX_PAGE_SIZE

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="From 1")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]

StrictBool = Annotated[bool, Strict()]
StrictInt = Annotated[int, Strict()]
StrictFloat = Annotated[float, Strict()]
"""Takes a JSON integer too, as JSON Schema's `number` does."""


def in_utc(moment: datetime) -> datetime:
    """The aware `moment` in UTC; ValueError when that leaves years 1 to 9999 (as
    0001-01-01T00:00:00+14:00 does), which no database column could store."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant is outside years 1 to 9999 in UTC") from None


UtcDatetime = Annotated[AwareDatetime, AfterValidator(in_utc)]

# Texts the server refuses when blank: a pattern (JSON Schema's are searched, not anchored)
# that asks for one character other than whitespace.
NOT_BLANK = r"\S"


async def text_only_url(connection: HTTPConnection) -> None:
    """The dependency of every route: refuses a path or query holding a NUL character
    (%00), which no route means and PostgreSQL refuses in text (JSON bodies are checked by
    adapters/http/middleware.TextBodyMiddleware)."""
    if connection.scope["type"] != "http":
        return
    if "\x00" in connection.scope["path"] or b"%00" in connection.scope["query_string"]:
        raise InvalidInput("Text must not contain NUL characters")
