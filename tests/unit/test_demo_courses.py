"""The demo courses: English courses written for learners, a graded quiz per chapter, loaded
once into an empty database and found by search."""

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from deployments.demo.courses import load_demo_courses, read_courses
from domain.courses import catalog, search
from domain.courses.rules import grade


def test_every_course_has_teaching_chapters_each_with_a_quiz_it_can_grade():
    courses = read_courses()
    ids = [c.course.id for c in courses]
    assert {"everyday-conversation", "pronunciation-basics", "grammar-essentials"} <= set(ids)
    for demo in courses:
        assert all(p in ids[: ids.index(demo.course.id)] for p in demo.course.prerequisites)
        assert len(demo.quizzes) == len(demo.chapters) >= 2
        for chapter, quiz in zip(demo.chapters, demo.quizzes, strict=True):
            assert chapter.content.count("\n\n") >= 2, chapter.id  # three paragraphs or more
            assert quiz.chapter_id == chapter.id and len(quiz.questions) >= 4
            right = {q.id: q.answer for q in quiz.questions}
            assert grade(quiz, right).score == 1.0


async def test_the_demo_courses_load_once_and_are_searchable():
    database = InMemoryDatabase()
    unit_of_work = lambda: InMemoryUnitOfWork(database)  # noqa: E731
    assert await load_demo_courses(unit_of_work) == len(read_courses())
    assert await load_demo_courses(unit_of_work) == 0
    listed = await catalog.list_courses(unit_of_work())
    assert any(s.course.premium for s in listed)
    found = await search.search_chapters("th sounds", 3, unit_of_work())
    assert found.chapters[0].id == "pronunciation-basics-2"
