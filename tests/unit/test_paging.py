"""One paging concept: bounds on page numbers and sizes, and what a page holds."""

import pytest

from domain.errors import InvalidInput
from domain.paging import MAX_PAGE, MAX_PAGE_SIZE, Page, check_page_size, page_offset


def test_the_offset_of_a_page():
    assert page_offset(1, 20) == 0
    assert page_offset(3, 20) == 40


def test_the_last_page_starts_at_an_offset_a_64_bit_column_holds():
    assert page_offset(MAX_PAGE, MAX_PAGE_SIZE) < 2**63


@pytest.mark.parametrize(
    ("page", "limit", "field"),
    [
        (0, 20, "page"),
        (MAX_PAGE + 1, 1, "page"),
        (2**63 - 1, 20, "page"),
        (1, 0, "limit"),
        (1, MAX_PAGE_SIZE + 1, "limit"),
    ],
)
def test_pages_and_sizes_out_of_bounds_are_refused(page, limit, field):
    with pytest.raises(InvalidInput) as error:
        page_offset(page, limit)
    assert error.value.details["field"] == field


def test_a_cursor_paged_list_checks_its_size_alone():
    check_page_size(MAX_PAGE_SIZE)
    with pytest.raises(InvalidInput):
        check_page_size(MAX_PAGE_SIZE + 1)


@pytest.mark.parametrize(("total", "pages"), [(0, 0), (1, 1), (20, 1), (21, 2)])
def test_total_pages(total, pages):
    assert Page(items=[], page=1, limit=20, total=total).total_pages == pages
