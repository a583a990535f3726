"""The persistence contract of the classes ports on every SQL database we support and in
memory: classes paged newest first by teacher, by member or all; an email invited once per
class; joining; and which teacher teaches which learner."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import Conflict
from ports.classes import ClassMember, Classroom
from tests.contract.conftest import UowFactory
from tests.contract.test_messaging_repositories import users

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


async def test_classes_are_paged_by_teacher_member_or_all(uow_factory: UowFactory):
    tess, tom, ana = await users(uow_factory, 3)
    older = Classroom(uuid4(), tess, "Older", NOW)
    newer = Classroom(uuid4(), tess, "Newer", NOW + timedelta(hours=1))
    toms = Classroom(uuid4(), tom, "Tom's", NOW + timedelta(hours=2))
    async with uow_factory() as uow:
        for classroom in (older, newer, toms):
            await uow.classrooms.add(classroom)
        await uow.class_members.add(ClassMember(older.id, "ana@example.com", NOW, ana, NOW))
        await uow.class_members.add(ClassMember(toms.id, "ana@example.com", NOW, None, None))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.classrooms.get(newer.id) == newer
        assert await uow.classrooms.list_page(0, 2, teacher_id=tess) == ([newer, older], 2)
        assert await uow.classrooms.list_page(1, 5, teacher_id=tess) == ([older], 2)
        # Invited to Tom's class but not joined: a member of Tess's older class only.
        assert await uow.classrooms.list_page(0, 5, member_id=ana) == ([older], 1)
        every, total = await uow.classrooms.list_page(0, 100)
        assert total >= 3 and [c for c in every if c.id in {older.id, toms.id}] == [toms, older]


async def test_an_email_is_invited_once_and_joins(uow_factory: UowFactory):
    tess, tom, ana, ben = await users(uow_factory, 4)
    english = Classroom(uuid4(), tess, "English", NOW)
    invited = ClassMember(english.id, "ana@example.com", NOW, None, None)
    second = ClassMember(english.id, "ben@example.com", NOW, None, None)
    async with uow_factory() as uow:
        await uow.classrooms.add(english)
        await uow.class_members.add(second)
        await uow.class_members.add(invited)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(Conflict):
            await uow.class_members.add(replace(invited, invited_at=NOW + timedelta(1)))
        assert not await uow.class_members.teaches(tess, ana)
        joined = replace(invited, user_id=ana, joined_at=NOW + timedelta(minutes=5))
        await uow.class_members.save(joined)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.class_members.get(english.id, "ana@example.com") == joined
        assert await uow.class_members.get(english.id, "tom@example.com") is None
        assert await uow.class_members.list_for_class(english.id) == [joined, second]
        assert await uow.class_members.teaches(tess, ana)
        assert not await uow.class_members.teaches(tom, ana)
        assert not await uow.class_members.teaches(tess, ben)
