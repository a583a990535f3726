"""The admin's side of the content repositories and the audit log, on every backend: the
filtered, searched and paged speech list, saving a speech with its tags replaced, and audit
entries found by who, what and when."""

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from domain.errors import Conflict
from ports.audit import AuditAction, AuditEntry, AuditFilter
from ports.cefr import CefrLevel
from ports.content import SpeechFilter, SpeechType, UploadBatch, UploadedAudio
from tests.contract.conftest import UowFactory
from tests.contract.test_repositories import NOW, add_all, make_speech, make_tag


async def test_speeches_are_found_by_level_type_tag_and_text_newest_first(
    uow_factory: UowFactory,
) -> None:
    food, travel = make_tag("food"), make_tag("travel")
    speeches = [
        replace(make_speech([food], text="Hello there"), created_at=NOW),
        replace(
            make_speech([travel], CefrLevel.B1, SpeechType.QUESTION, "Say HELLO, 100% sure?"),
            created_at=NOW + timedelta(seconds=1),
        ),
        replace(make_speech([food, travel], text="Good night"), created_at=NOW + timedelta(2)),
    ]
    await add_all(uow_factory, food, travel, *speeches)

    async def texts(offset: int = 0, limit: int = 10, **filter) -> tuple[list[str], int]:
        async with uow_factory() as uow:
            found, total = await uow.speeches.find(SpeechFilter(**filter), offset, limit)
        return [s.text for s in found], total

    assert await texts() == (["Good night", "Say HELLO, 100% sure?", "Hello there"], 3)
    assert await texts(search="hello") == (["Say HELLO, 100% sure?", "Hello there"], 2)
    assert await texts(search="0% s") == (["Say HELLO, 100% sure?"], 1)
    assert await texts(search="%") == (["Say HELLO, 100% sure?"], 1)
    assert await texts(search="_") == ([], 0)
    assert await texts(level=CefrLevel.A1, tag_id=travel.id) == (["Good night"], 1)
    assert await texts(type=SpeechType.QUESTION) == (["Say HELLO, 100% sure?"], 1)
    assert await texts(offset=1, limit=1) == (["Say HELLO, 100% sure?"], 3)
    async with uow_factory() as uow:
        (found,), _ = await uow.speeches.find(SpeechFilter(tag_id=food.id), 0, 1)
    assert [t.name for t in found.tags] == ["food", "travel"]


async def test_a_saved_speech_keeps_its_creation_and_takes_its_new_tags(
    uow_factory: UowFactory,
) -> None:
    food, travel, home = make_tag("food"), make_tag("travel"), make_tag("home")
    speech = make_speech([food, travel])
    await add_all(uow_factory, food, travel, home, speech)
    changed = replace(
        speech,
        text="I like trains.",
        level=CefrLevel.B2,
        type=SpeechType.QUESTION,
        audio_key="audio/B2/trains.mp3",
        created_at=NOW + timedelta(days=1),
        updated_at=NOW + timedelta(hours=1),
        tags=[home, travel],
    )

    async with uow_factory() as uow:
        await uow.speeches.save(changed)
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.speeches.get(speech.id)
        counts = await uow.tags.speech_counts()
    assert stored == replace(changed, created_at=NOW, tags=[home, travel])
    assert counts == {home.id: 1, travel.id: 1}


async def test_audit_entries_are_found_by_actor_entity_action_and_time(
    uow_factory: UowFactory,
) -> None:
    ana, ben, tag_id = uuid4(), uuid4(), uuid4()

    def entry(actor, action, minutes, entity="tag", entity_id=tag_id) -> AuditEntry:
        after = None if action is AuditAction.DELETE else {"name": "Food", "n": [1, None]}
        before = None if action is AuditAction.CREATE else {"name": "food"}
        at = NOW + timedelta(minutes=minutes)
        return AuditEntry(uuid4(), actor, action, entity, entity_id, before, after, at)

    entries = [
        entry(ana, AuditAction.CREATE, 0),
        entry(ben, AuditAction.UPDATE, 1),
        entry(ana, AuditAction.DELETE, 2),
        entry(ana, AuditAction.CREATE, 3, "speech", uuid4()),
    ]
    async with uow_factory() as uow:
        for e in entries:
            await uow.audit_log.add(e)
        await uow.commit()

    async def found(offset=0, limit=10, **filter):
        async with uow_factory() as uow:
            page, total = await uow.audit_log.find(AuditFilter(**filter), offset, limit)
        return page, total

    assert await found() == (entries[::-1], 4)
    assert await found(entity="tag", entity_id=tag_id, actor_id=ana) == (
        [entries[2], entries[0]],
        2,
    )
    assert await found(action=AuditAction.UPDATE) == ([entries[1]], 1)
    window = dict(at_from=NOW + timedelta(minutes=1), at_to=NOW + timedelta(minutes=2))
    assert await found(**window) == ([entries[2], entries[1]], 2)
    assert await found(offset=3, limit=2) == ([entries[0]], 4)


def _batch(expires_in: timedelta, *names: str) -> UploadBatch:
    batch = UploadBatch(uuid4(), uuid4(), NOW, NOW + expires_in)
    batch.files = [_file(batch, name) for name in names]
    return batch


def _file(batch: UploadBatch, name: str) -> UploadedAudio:
    key = f"uploads/{batch.id}/{name}"
    return UploadedAudio(uuid4(), batch.id, name, name, key, "audio/mpeg", 3)


async def test_upload_batches_keep_their_files_in_order_until_deleted(
    uow_factory: UowFactory,
) -> None:
    batch, old = _batch(timedelta(hours=24), "b.mp3", "a.mp3"), _batch(timedelta(0), "c.mp3")
    async with uow_factory() as uow:
        await uow.upload_batches.add(batch)
        await uow.upload_batches.add(old)
        await uow.upload_batches.add_files([_file(batch, "a_1.mp3")])
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.upload_batches.get(batch.id)
        assert [f.stored_name for f in stored.files] == ["b.mp3", "a.mp3", "a_1.mp3"]
        assert stored.files[:2] == batch.files and stored.expires_at == batch.expires_at
        assert await uow.upload_batches.expired(NOW, 10) == [old]
        assert await uow.upload_batches.expired(NOW - timedelta(seconds=1), 10) == []
        with pytest.raises(Conflict):
            await uow.upload_batches.add_files([_file(batch, "a.mp3")])
        await uow.upload_batches.delete(old.id)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.upload_batches.get(old.id) is None
        assert await uow.upload_batches.get(uuid4()) is None
        assert (await uow.upload_batches.get(batch.id)).files[2].stored_name == "a_1.mp3"


async def test_speeches_and_audit_entries_are_added_in_bulk(uow_factory: UowFactory) -> None:
    food, travel = make_tag("food"), make_tag("travel")
    speeches = [make_speech([food, travel], text=f"Sentence {n}") for n in range(300)]
    entries = [
        AuditEntry(uuid4(), uuid4(), AuditAction.CREATE, "speech", s.id, None, {"n": 1}, NOW)
        for s in speeches
    ]
    await add_all(uow_factory, food, travel)
    async with uow_factory() as uow:
        await uow.speeches.add_many(speeches)
        await uow.audit_log.add_many(entries)
        await uow.commit()

    async with uow_factory() as uow:
        assert await uow.speeches.get(speeches[7].id) == speeches[7]
        assert await uow.tags.speech_counts() == {food.id: 300, travel.id: 300}
        found, total = await uow.audit_log.find(AuditFilter(entity_id=speeches[7].id), 0, 5)
    assert found == [entries[7]] and total == 1
