"""The admin's catalogue over the in-memory unit of work: every write is recorded in the
audit log with the speech or tag before and after, and a refused write records nothing."""

from uuid import uuid4

import pytest

from adapters.blobs.local import LocalBlobStore
from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.audit.log import list_audit_entries
from domain.content import tags
from domain.content.catalog import (
    NewSpeech,
    SpeechChanges,
    create_speech,
    delete_speech,
    get_speech,
    list_speeches,
    update_speech,
)
from domain.content.rules import ADMIN_PAGE_SIZE, SPEECH_TEXT_MAX_LENGTH
from domain.errors import Conflict, InvalidInput, NotFound
from domain.practice.sessions import get_game_session, save_game_session
from ports.audit import AuditAction, AuditFilter
from ports.cefr import CefrLevel
from ports.content import SpeechFilter, SpeechType
from tests.support.memory import given, learner
from tests.unit.test_practice_use_cases import FOOD, TRAVEL, game

ADMIN = uuid4()
AUDIO = "audio/A1/hello.mp3"


@pytest.fixture
async def database() -> InMemoryDatabase:
    database = InMemoryDatabase()
    await given(database, FOOD, TRAVEL)
    return database


@pytest.fixture
async def blobs(tmp_path) -> LocalBlobStore:
    store = LocalBlobStore(tmp_path, "http://testserver", b"k" * 32)
    await store.put(AUDIO, b"ID3", "audio/mpeg")
    return store


def new(text: str = "How are you today?", **changes) -> NewSpeech:
    fields = dict(
        text=text,
        level=CefrLevel.A1,
        type=SpeechType.QUESTION,
        audio_key=AUDIO,
        tag_ids=[FOOD.id],
    )
    return NewSpeech(**(fields | changes))


async def audit(uow, **filter):
    return (await list_audit_entries(AuditFilter(**filter), 1, 50, uow)).items


async def test_create_update_delete_are_each_audited_with_before_and_after(database, blobs):
    uow = InMemoryUnitOfWork(database)
    created = await create_speech(ADMIN, new(), blobs, uow)
    updated = await update_speech(
        ADMIN, created.id, SpeechChanges(text="How are you doing?", tag_ids=[TRAVEL.id]), blobs, uow
    )
    assert [t.name for t in updated.tags] == ["travel"]
    assert (await get_speech(created.id, uow)).text == "How are you doing?"
    await delete_speech(ADMIN, created.id, uow)

    entries = await audit(uow, entity_id=created.id)
    assert [e.action for e in entries] == [
        AuditAction.DELETE,
        AuditAction.UPDATE,
        AuditAction.CREATE,
    ]
    delete, update, create = entries
    assert create.before is None and create.after["text"] == "How are you today?"
    assert (
        update.before["tags"][0]["name"] == "food" and update.after["tags"][0]["name"] == "travel"
    )
    assert delete.before["text"] == "How are you doing?" and delete.after is None
    assert all(e.actor_id == ADMIN and e.entity == "speech" for e in entries)
    with pytest.raises(NotFound):
        await get_speech(created.id, uow)


async def test_refused_writes_write_nothing_and_record_nothing(database, blobs):
    uow = InMemoryUnitOfWork(database)
    with pytest.raises(NotFound) as unknown:
        await create_speech(ADMIN, new(tag_ids=[FOOD.id, missing := uuid4()]), blobs, uow)
    assert unknown.value.details == {"tag_ids": [str(missing)]}
    with pytest.raises(InvalidInput):
        await create_speech(ADMIN, new(audio_key="audio/A1/none.mp3"), blobs, uow)
    with pytest.raises(InvalidInput):
        await create_speech(ADMIN, new(" " * 3), blobs, uow)
    with pytest.raises(InvalidInput):
        await create_speech(ADMIN, new("a" * (SPEECH_TEXT_MAX_LENGTH + 1)), blobs, uow)
    with pytest.raises(InvalidInput):
        await create_speech(ADMIN, new(level=CefrLevel.C2), blobs, uow)
    with pytest.raises(NotFound):
        await update_speech(ADMIN, uuid4(), SpeechChanges(text="x"), blobs, uow)
    with pytest.raises(NotFound):
        await delete_speech(ADMIN, uuid4(), uow)
    assert (await list_speeches(SpeechFilter(), 1, 10, uow)).total == 0
    assert await audit(uow) == []


async def test_a_deleted_speech_leaves_its_game_results_without_it(database, blobs):
    ana = learner()
    await given(database, ana)
    uow = InMemoryUnitOfWork(database)
    speech = await create_speech(ADMIN, new(), blobs, uow)
    session_id = await save_game_session(ana.id, game(speech), uow)

    await delete_speech(ADMIN, speech.id, uow)

    detail = await get_game_session(ana.id, session_id, uow)
    assert [r.speech_id for r in detail.session.results] == [None]


async def test_the_list_filters_searches_and_pages_up_to_its_own_bound(database, blobs):
    uow = InMemoryUnitOfWork(database)
    hello = await create_speech(ADMIN, new("Hello there"), blobs, uow)
    await create_speech(ADMIN, new("Good night", tag_ids=[TRAVEL.id]), blobs, uow)
    await create_speech(
        ADMIN, new("Say HELLO", level=CefrLevel.B1, type=SpeechType.ANSWER), blobs, uow
    )

    async def texts(**filter):
        return [s.text for s in (await list_speeches(SpeechFilter(**filter), 1, 10, uow)).items]

    assert await texts() == ["Say HELLO", "Good night", "Hello there"]
    assert await texts(search=" hello ") == ["Say HELLO", "Hello there"]
    assert await texts(level=CefrLevel.A1, type=SpeechType.QUESTION, tag_id=FOOD.id) == [hello.text]
    assert await texts(search="%") == []
    page = await list_speeches(SpeechFilter(), 2, 2, uow)
    assert [s.text for s in page.items] == ["Hello there"] and page.total_pages == 2
    assert (await list_speeches(SpeechFilter(), 1, ADMIN_PAGE_SIZE, uow)).limit == ADMIN_PAGE_SIZE
    with pytest.raises(InvalidInput):
        await list_speeches(SpeechFilter(), 1, ADMIN_PAGE_SIZE + 1, uow)


async def test_tag_writes_are_audited_and_a_refused_one_is_not(database):
    uow = InMemoryUnitOfWork(database)
    usage = await tags.create_tag(ADMIN, "Idioms", "topic", uow)
    await tags.update_tag(ADMIN, usage.tag.id, tags.TagChanges(name="Sayings"), uow)
    with pytest.raises(Conflict):
        await tags.create_tag(ADMIN, "Sayings", None, uow)
    await tags.delete_tag(ADMIN, usage.tag.id, uow)

    entries = await audit(uow, entity="tag")
    assert [
        (e.action, (e.before or {}).get("name"), (e.after or {}).get("name")) for e in entries
    ] == [
        (AuditAction.DELETE, "Sayings", None),
        (AuditAction.UPDATE, "Idioms", "Sayings"),
        (AuditAction.CREATE, None, "Idioms"),
    ]
    assert await audit(uow, entity="tag", action=AuditAction.UPDATE) == [entries[1]]
    assert await audit(uow, actor_id=uuid4()) == []
