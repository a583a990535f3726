"""Messaging's use cases over the in-memory unit of work: who may read and change a
conversation, its participants and its messages, which changes conflict, and that a refused
change writes nothing, not even an event."""

from uuid import UUID, uuid4

import pytest

from adapters.blobs.local import LocalBlobStore
from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.messaging.conversations import (
    ChangeConversation,
    ChangeParticipant,
    StartConversation,
    add_participant,
    change_conversation,
    change_participant,
    delete_conversation,
    get_conversation,
    list_conversations,
    public_profiles,
    remove_participant,
    start_conversation,
)
from domain.messaging.messages import (
    SendMessage,
    acknowledge,
    delete_message,
    edit_message,
    history,
    mark_conversation_read,
    send_message,
)
from domain.messaging.presence import set_status, statuses
from ports.messaging import ConversationType, DeliveryStatus, ParticipantRole, Presence
from tests.support.memory import given, learner

GROUP, DIRECT = ConversationType.GROUP, ConversationType.DIRECT
ADMIN, MEMBER = ParticipantRole.ADMIN, ParticipantRole.MEMBER


@pytest.fixture
def database() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def blobs(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path, "http://testserver", b"k" * 32)


@pytest.fixture
def uow(database) -> InMemoryUnitOfWork:
    return InMemoryUnitOfWork(database)


async def people(database: InMemoryDatabase, count: int) -> list[UUID]:
    users = [learner(f"User{n}") for n in range(count)]
    await given(database, *users)
    return [user.id for user in users]


async def group(uow, owner: UUID, *members: UUID) -> UUID:
    started = await start_conversation(owner, StartConversation(GROUP, list(members), "Club"), uow)
    return started.detail.conversation.id


async def test_a_direct_conversation_is_one_per_pair_and_private(database, uow):
    ana, ben, eve = await people(database, 3)

    first = await start_conversation(ana, StartConversation(DIRECT, [ben]), uow)
    again = await start_conversation(ben, StartConversation(DIRECT, [ana]), uow)

    conversation_id = first.detail.conversation.id
    assert first.created and not again.created
    assert again.detail.conversation.id == conversation_id
    assert {p.role for p in first.detail.participants} == {ADMIN}
    with pytest.raises(Forbidden):
        await get_conversation(eve, conversation_id, uow)
    with pytest.raises(Forbidden):
        await history(eve, conversation_id, None, 20, uow)
    with pytest.raises(NotFound):
        await get_conversation(ana, uuid4(), uow)
    with pytest.raises(InvalidInput):
        await start_conversation(ana, StartConversation(DIRECT, [ben, eve]), uow)


async def test_unknown_participants_are_not_found_and_nothing_is_written(database, uow):
    (ana,) = await people(database, 1)
    with pytest.raises(NotFound) as refused:
        await start_conversation(ana, StartConversation(GROUP, [uuid4()]), uow)
    assert list(refused.value.details) == ["user_ids"]
    assert (await list_conversations(ana, False, 1, 20, uow)).total == 0
    assert database.outbox == []


async def test_admins_add_participants_once_and_to_groups_only(database, uow):
    ana, ben, cem = await people(database, 3)
    club = await group(uow, ana, ben)
    direct = await start_conversation(ana, StartConversation(DIRECT, [ben]), uow)

    with pytest.raises(Forbidden):
        await add_participant(ben, club, cem, MEMBER, uow)
    added = await add_participant(ana, club, cem, MEMBER, uow)
    with pytest.raises(Conflict):
        await add_participant(ana, club, cem, MEMBER, uow)
    with pytest.raises(InvalidInput):
        await add_participant(ana, direct.detail.conversation.id, cem, MEMBER, uow)

    assert added.role is MEMBER
    joined = [e for e in database.outbox if e.type == f"inbox.{cem}.conversation_joined"]
    assert [e.payload["conversation_id"] for e in joined] == [str(club)]


async def test_participants_mute_for_themselves_and_admins_change_roles(database, uow):
    ana, ben, cem = await people(database, 3)
    club = await group(uow, ana, ben, cem)

    muted = await change_participant(ben, club, ben, ChangeParticipant(is_muted=True), uow)
    with pytest.raises(Forbidden):
        await change_participant(cem, club, ben, ChangeParticipant(is_muted=False), uow)
    with pytest.raises(Forbidden):
        await change_participant(ben, club, cem, ChangeParticipant(role=ADMIN), uow)
    with pytest.raises(Conflict):  # A conversation keeps at least one admin.
        await change_participant(ana, club, ana, ChangeParticipant(role=MEMBER), uow)
    promoted = await change_participant(ana, club, ben, ChangeParticipant(role=ADMIN), uow)

    assert muted.is_muted and promoted.role is ADMIN


async def test_the_last_admin_stays_while_others_remain_and_admins_remove_others(database, uow):
    ana, ben, cem, dia = await people(database, 4)
    club = await group(uow, ana, ben, cem)

    with pytest.raises(Conflict):
        await remove_participant(ana, club, ana, uow)
    with pytest.raises(Forbidden):
        await remove_participant(ben, club, cem, uow)
    with pytest.raises(NotFound):
        await remove_participant(ana, club, dia, uow)
    await change_participant(ana, club, ben, ChangeParticipant(role=ADMIN), uow)
    await remove_participant(ana, club, ana, uow)
    await remove_participant(ben, club, cem, uow)

    with pytest.raises(Forbidden):
        await get_conversation(ana, club, uow)
    with pytest.raises(Forbidden):
        await send_message(cem, club, SendMessage("Still here?"), uow)
    remaining = await get_conversation(ben, club, uow)
    assert [p.user_id for p in remaining.participants] == [ben]


async def test_admins_rename_archive_and_delete(database, uow, blobs):
    ana, ben = await people(database, 2)
    club = await group(uow, ana, ben)

    with pytest.raises(Forbidden):
        await change_conversation(ben, club, ChangeConversation(title="Mine"), uow)
    with pytest.raises(Forbidden):
        await delete_conversation(ben, club, uow, blobs)
    renamed = await change_conversation(
        ana, club, ChangeConversation(title="  Grammar   club ", is_archived=True), uow
    )
    assert renamed.conversation.title == "Grammar club"
    assert (await list_conversations(ben, False, 1, 20, uow)).total == 0
    assert (await list_conversations(ben, True, 1, 20, uow)).total == 1

    await delete_conversation(ana, club, uow, blobs)
    with pytest.raises(NotFound):
        await get_conversation(ana, club, uow)
    with pytest.raises(NotFound):
        await delete_conversation(ana, club, uow, blobs)


async def test_only_the_sender_edits_or_deletes_a_message_and_only_while_it_exists(
    database, uow, blobs
):
    ana, ben = await people(database, 2)
    club = await group(uow, ana, ben)
    other = await group(uow, ana, ben)
    first = (await send_message(ana, club, SendMessage("How are you?"), uow)).message

    with pytest.raises(InvalidInput):
        await send_message(ben, other, SendMessage("Fine!", reply_to_id=first.id), uow)
    with pytest.raises(InvalidInput):
        await send_message(ana, club, SendMessage("   "), uow)
    with pytest.raises(Forbidden):
        await edit_message(ben, first.id, "hijacked", uow)
    with pytest.raises(Forbidden):
        await delete_message(ben, first.id, uow, blobs)
    edited = await edit_message(ana, first.id, "How are you doing?", uow)
    await delete_message(ana, first.id, uow, blobs)
    with pytest.raises(NotFound):
        await delete_message(ana, first.id, uow, blobs)
    with pytest.raises(NotFound):
        await edit_message(ana, first.id, "again", uow)

    assert edited.is_edited and edited.content == "How are you doing?"
    (kept,) = (await history(ben, club, None, 20, uow)).messages
    assert kept.message.is_deleted


async def test_receipts_move_forward_for_participants_only(database, uow):
    ana, ben, cem, eve = await people(database, 4)
    club = await group(uow, ana, ben, cem)
    first = (await send_message(ana, club, SendMessage("one"), uow)).message
    await send_message(ana, club, SendMessage("two"), uow)

    read = await acknowledge(ben, first.id, DeliveryStatus.READ, uow)
    assert read is not None and read.status is DeliveryStatus.READ
    assert await acknowledge(ben, first.id, DeliveryStatus.DELIVERED, uow) is None
    with pytest.raises(Forbidden):
        await acknowledge(eve, first.id, DeliveryStatus.READ, uow)
    with pytest.raises(InvalidInput):
        await acknowledge(ben, first.id, DeliveryStatus.SENT, uow)
    with pytest.raises(NotFound):
        await acknowledge(ben, uuid4(), DeliveryStatus.READ, uow)

    _, marked = await mark_conversation_read(cem, club, uow)
    assert marked == 2
    (summary,) = (await list_conversations(ben, False, 1, 20, uow)).items
    assert summary.unread_count == 1


async def test_a_refused_message_publishes_nothing_and_a_sent_one_is_published(database, uow):
    ana, ben, eve = await people(database, 3)
    club = await group(uow, ana, ben)
    before = list(database.outbox)

    with pytest.raises(Forbidden):
        await send_message(eve, club, SendMessage("let me in"), uow)
    assert database.outbox == before
    sent = await send_message(ana, club, SendMessage("hello"), uow)

    (event,) = database.outbox[len(before) :]
    assert event.type == f"conversation.{club}.message_sent"
    assert event.payload["message"]["id"] == str(sent.message.id)
    assert [r.user_id for r in sent.receipts] == [ben]


async def test_statuses_are_visible_to_contacts_only(database, uow):
    ana, ben, eve = await people(database, 3)
    await group(uow, ana, ben)
    for user, presence in ((ana, Presence.AWAY), (ben, Presence.ONLINE), (eve, Presence.ONLINE)):
        await set_status(user, presence, uow)

    seen = await statuses(ana, [ana, ben, eve], uow)

    assert {s.user_id: s.status for s in seen} == {ana: Presence.AWAY, ben: Presence.ONLINE}
    with pytest.raises(InvalidInput):
        await statuses(ana, [uuid4() for _ in range(101)], uow)


async def test_profiles_are_shown_only_to_people_who_share_a_conversation(database, uow):
    ana, ben, cem, eve = await people(database, 4)
    club = await group(uow, ana, ben, cem)
    await remove_participant(cem, club, cem, uow)

    shown = await public_profiles(ana, [ana, ben, cem, eve, None, uuid4()], uow)

    assert {u: p.name for u, p in shown.items()} == {ana: "User0", ben: "User1"}
    assert await public_profiles(eve, [ana, ben], uow) == {}
