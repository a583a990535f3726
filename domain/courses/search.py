"""Use cases of search over the courses' text, through the CourseSearch port."""

from dataclasses import dataclass

from domain.courses.rules import check_search_limit, search_terms
from ports.courses import SearchHit
from ports.unit_of_work import CoursesUnitOfWork


@dataclass(frozen=True)
class SearchResults:
    query: str
    courses: list[SearchHit]
    chapters: list[SearchHit]


async def search(query: str, limit: int, uow: CoursesUnitOfWork) -> SearchResults:
    """Courses and chapters matching the query, each list best first, at most `limit` each."""
    terms = _checked(query, limit)
    async with uow:
        courses = await uow.course_search.search_courses(terms, limit)
        chapters = await uow.course_search.search_chapters(terms, limit)
    return SearchResults(query, courses, chapters)


async def search_courses(query: str, limit: int, uow: CoursesUnitOfWork) -> SearchResults:
    terms = _checked(query, limit)
    async with uow:
        return SearchResults(query, await uow.course_search.search_courses(terms, limit), [])


async def search_chapters(query: str, limit: int, uow: CoursesUnitOfWork) -> SearchResults:
    terms = _checked(query, limit)
    async with uow:
        return SearchResults(query, [], await uow.course_search.search_chapters(terms, limit))


def _checked(query: str, limit: int) -> list[str]:
    check_search_limit(limit)
    return search_terms(query)
