"""Classes over the in-memory unit of work: a teacher creates a class and invites learners by
email, a learner joins only a class they were invited to, who sees which classes, and that a
teacher reads the progress of their class's learners and of no one else."""

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.classes.classrooms import (
    create_class,
    get_class,
    invite_learner,
    join_class,
    list_classes,
)
from domain.curriculum.progress import (
    InitializeProgress,
    change_time_zone,
    get_progress,
    initialize_progress,
)
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ports.identity import Role
from tests.support.memory import NOW, given, learner

ANA, BEN = learner("Ana"), learner("Ben")
TESS, TOM = replace(learner("Tess"), role=Role.TEACHER), replace(learner("Tom"), role=Role.TEACHER)


@pytest.fixture
async def database() -> InMemoryDatabase:
    database = InMemoryDatabase()
    await given(database, ANA, BEN, TESS, TOM)
    return database


def uow(database):
    return InMemoryUnitOfWork(database)


async def test_a_learner_joins_a_class_they_were_invited_to(database):
    english = await create_class(TESS.id, Role.TEACHER, "  English  A1 ", NOW, uow(database))
    assert english.name == "English A1" and english.teacher_id == TESS.id
    invited = await invite_learner(
        TESS.id, Role.TEACHER, english.id, ANA.email.upper(), NOW, uow(database)
    )
    assert invited.email == ANA.email and invited.user_id is None
    with pytest.raises(Conflict):
        await invite_learner(TESS.id, Role.TEACHER, english.id, ANA.email, NOW, uow(database))
    later = NOW + timedelta(hours=1)
    joined = await join_class(ANA.id, english.id, later, uow(database))
    assert (joined.user_id, joined.joined_at) == (ANA.id, later)
    assert await join_class(ANA.id, english.id, NOW + timedelta(days=1), uow(database)) == joined
    with pytest.raises(NotFound):
        await join_class(BEN.id, english.id, NOW, uow(database))
    view = await get_class(TESS.id, Role.TEACHER, english.id, uow(database))
    assert view.members == [joined]


async def test_who_creates_invites_and_sees_classes(database):
    with pytest.raises(Forbidden):
        await create_class(ANA.id, Role.STUDENT, "Mine", NOW, uow(database))
    with pytest.raises(InvalidInput):
        await create_class(TESS.id, Role.TEACHER, "   ", NOW, uow(database))
    tess = await create_class(TESS.id, Role.TEACHER, "Tess's", NOW, uow(database))
    toms = await create_class(TOM.id, Role.TEACHER, "Tom's", NOW + timedelta(1), uow(database))
    for viewer in (TOM.id, ANA.id):
        with pytest.raises(NotFound):
            await invite_learner(viewer, Role.TEACHER, tess.id, BEN.email, NOW, uow(database))
    with pytest.raises(NotFound):
        await get_class(TOM.id, Role.TEACHER, tess.id, uow(database))
    await invite_learner(uuid4(), Role.ADMIN, tess.id, BEN.email, NOW, uow(database))
    await join_class(BEN.id, tess.id, NOW, uow(database))
    admin_sees = await list_classes(uuid4(), Role.ADMIN, 1, 10, uow(database))
    assert [c.id for c in admin_sees.items] == [toms.id, tess.id] and admin_sees.total == 2
    assert [
        c.id for c in (await list_classes(TOM.id, Role.TEACHER, 1, 10, uow(database))).items
    ] == [toms.id]
    assert [
        c.id for c in (await list_classes(BEN.id, Role.STUDENT, 1, 10, uow(database))).items
    ] == [tess.id]
    assert (await list_classes(ANA.id, Role.STUDENT, 1, 10, uow(database))).total == 0
    with pytest.raises(InvalidInput):
        await list_classes(ANA.id, Role.STUDENT, 0, 10, uow(database))


async def test_a_teacher_reads_the_progress_of_their_classs_learners_only(database):
    for who in (ANA, BEN):
        await initialize_progress(who.id, InitializeProgress(), NOW, uow(database))
    english = await create_class(TESS.id, Role.TEACHER, "English", NOW, uow(database))
    await invite_learner(TESS.id, Role.TEACHER, english.id, ANA.email, NOW, uow(database))
    # Invited is not enough: the learner has to join.
    with pytest.raises(Forbidden):
        await get_progress(TESS.id, Role.TEACHER, ANA.id, NOW, uow(database))
    await join_class(ANA.id, english.id, NOW, uow(database))
    view = await get_progress(TESS.id, Role.TEACHER, ANA.id, NOW, uow(database))
    assert view.progress.user_id == ANA.id
    for reader, role in ((TESS, Role.TEACHER), (TOM, Role.TEACHER), (ANA, Role.STUDENT)):
        with pytest.raises(Forbidden):
            await get_progress(reader.id, role, BEN.id, NOW, uow(database))


async def test_the_time_zone_is_a_setting_that_changes(database):
    changed = await change_time_zone(ANA.id, "Asia/Karachi", NOW, uow(database))
    assert changed.time_zone == "Asia/Karachi" and changed.unlocked == [(1, 1)]
    moved = await change_time_zone(ANA.id, "Europe/London", NOW, uow(database))
    assert moved.time_zone == "Europe/London" and moved.version == changed.version + 1
    before = database.tables.copy()
    with pytest.raises(InvalidInput):
        await change_time_zone(ANA.id, "Nowhere/Else", NOW, uow(database))
    assert database.tables == before
