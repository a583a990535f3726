"""Pages of a list: how large one may be, how far a client may page, and what a page holds.
Every paged list (game sessions, tutor sessions and their messages, conversations) and the
cursor-paged message history share these bounds."""

from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.errors import InvalidInput

MAX_PAGE_SIZE = 100
# A page number a 32-bit integer holds: every client's integer type takes it, and the offset
# of its first row ((MAX_PAGE - 1) * MAX_PAGE_SIZE) stays far inside the 64-bit OFFSET of
# SQLite and PostgreSQL; larger pages would fail in the query instead of being refused.
MAX_PAGE = 2**31 - 1

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    limit: int
    total: int

    @property
    def total_pages(self) -> int:
        return -(-self.total // self.limit)


def check_page_size(limit: int, max_size: int = MAX_PAGE_SIZE) -> None:
    """Raises InvalidInput unless 1 <= limit <= max_size."""
    if not 1 <= limit <= max_size:
        raise InvalidInput(f"limit must be between 1 and {max_size}", {"field": "limit"})


def page_offset(page: int, limit: int, max_size: int = MAX_PAGE_SIZE) -> int:
    """The offset of the first row of page `page` (from 1) of `limit` rows; InvalidInput for
    a page or a size out of bounds. A list whose pages may be larger (the admin's) says so
    with `max_size`, which keeps the offset far inside OFFSET's range up to 2**32 rows."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"page must be between 1 and {MAX_PAGE}", {"field": "page"})
    check_page_size(limit, max_size)
    return (page - 1) * limit
