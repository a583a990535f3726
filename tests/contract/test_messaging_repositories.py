"""The persistence contract of the messaging ports (and of handled events), on every SQL
database we support and in memory."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from ports.messaging import (
    Conversation,
    ConversationType,
    DeliveryStatus,
    Message,
    MessageCursor,
    MessageType,
    Participant,
    ParticipantRole,
    Presence,
    UserStatus,
)
from tests.contract.conftest import UowFactory
from tests.contract.test_repositories import make_user

NOW = datetime(2025, 3, 14, 9, 26, 53, 589793, tzinfo=UTC)


async def users(uow_factory: UowFactory, count: int) -> list[UUID]:
    made = [make_user(f"user{n}-{uuid4().hex[:6]}@example.com") for n in range(count)]
    async with uow_factory() as uow:
        for user in made:
            await uow.users.add(user)
        await uow.commit()
    return [user.id for user in made]


async def conversation(
    uow_factory: UowFactory,
    members: list[UUID],
    type: ConversationType = ConversationType.GROUP,
    at: datetime = NOW,
) -> Conversation:
    started = Conversation(uuid4(), type, "Club", members[0], at, at)
    async with uow_factory() as uow:
        await uow.conversations.add(
            started,
            [
                Participant(started.id, member, ParticipantRole.MEMBER, at + timedelta(seconds=n))
                for n, member in enumerate(members)
            ],
        )
        await uow.commit()
    return started


def message(conversation_id: UUID, sender: UUID, at: datetime, text: str = "Hi") -> Message:
    return Message(uuid4(), conversation_id, sender, text, MessageType.TEXT, None, {}, at, at)


async def test_conversations_round_trip_with_their_participants(uow_factory):
    ana, ben, cem = await users(uow_factory, 3)
    club = await conversation(uow_factory, [ana, ben])
    async with uow_factory() as uow:
        assert await uow.conversations.get(club.id) == club
        assert [p.user_id for p in await uow.conversations.participants(club.id)] == [ana, ben]
        assert await uow.conversations.get_participant(club.id, cem) is None
        club.title, club.is_archived, club.last_message_at = "Renamed", True, NOW
        await uow.conversations.save(club)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.conversations.get(club.id) == club


async def test_saving_a_participant_inserts_or_updates(uow_factory):
    ana, ben = await users(uow_factory, 2)
    club = await conversation(uow_factory, [ana])
    joined = Participant(club.id, ben, ParticipantRole.MEMBER, NOW)
    async with uow_factory() as uow:
        await uow.conversations.save_participant(joined)
        await uow.commit()
    left = replace(joined, left_at=NOW, is_muted=True, role=ParticipantRole.ADMIN)
    async with uow_factory() as uow:
        assert await uow.conversations.get_participant(club.id, ben) == joined
        await uow.conversations.save_participant(left)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.conversations.get_participant(club.id, ben) == left
        assert len(await uow.conversations.participants(club.id)) == 2


async def test_listing_filters_orders_and_counts_unread(uow_factory):
    ana, ben, cem = await users(uow_factory, 3)
    quiet = await conversation(uow_factory, [ana, ben], at=NOW)
    busy = await conversation(uow_factory, [ana, cem], at=NOW)
    archived = await conversation(uow_factory, [ana, ben], at=NOW + timedelta(hours=1))
    gone = await conversation(uow_factory, [ana, ben], at=NOW + timedelta(hours=2))
    direct = await conversation(uow_factory, [ben, ana], ConversationType.DIRECT)
    async with uow_factory() as uow:
        for n in range(3):
            await uow.messages.add(message(busy.id, cem, NOW + timedelta(minutes=n)), [ana])
        busy.last_message_at = NOW + timedelta(hours=3)
        await uow.conversations.save(busy)
        await uow.conversations.save(replace(archived, is_archived=True))
        await uow.conversations.save(replace(gone, is_deleted=True))
        await uow.commit()
    async with uow_factory() as uow:
        page, total = await uow.conversations.list_for_user(ana, False, 0, 10)
        assert total == 3
        assert [s.conversation.id for s in page] == [
            busy.id,
            *sorted([quiet.id, direct.id], reverse=True),
        ]
        assert [s.unread_count for s in page] == [3, 0, 0]
        assert [p.user_id for p in page[0].participants] == [ana, cem]
        second, _ = await uow.conversations.list_for_user(ana, False, 1, 1)
        assert [s.conversation.id for s in second] == [page[1].conversation.id]
        shelved, total = await uow.conversations.list_for_user(ana, True, 0, 10)
        assert [s.conversation.id for s in shelved] == [archived.id] and total == 1
        assert set(await uow.conversations.ids_for_user(ben)) == {quiet.id, archived.id, direct.id}
        assert await uow.conversations.find_direct(ana, ben) == direct
        assert await uow.conversations.find_direct(ana, cem) is None
        assert await uow.conversations.share_conversation(cem, [ana, ben]) == [ana]


async def test_history_pages_by_cursor_and_receipts_only_move_forward(uow_factory):
    ana, ben, cem = await users(uow_factory, 3)
    club = await conversation(uow_factory, [ana, ben, cem])
    # Two messages in the same microsecond: the id breaks the tie.
    sent = [message(club.id, ana, NOW + timedelta(seconds=n // 2), f"m{n}") for n in range(5)]
    async with uow_factory() as uow:
        for item in sent:
            await uow.messages.add(item, [ben, cem])
        await uow.commit()
    expected = sorted(sent, key=lambda m: (m.created_at, m.id), reverse=True)
    async with uow_factory() as uow:
        seen: list[Message] = []
        cursor = None
        while page := await uow.messages.history(club.id, cursor, 2):
            seen += page
            cursor = MessageCursor(page[-1].created_at, page[-1].id)
        assert seen == expected
        first = sent[0].id
        assert {r.status for r in await uow.messages.receipts([first])} == {DeliveryStatus.SENT}
        read = await uow.messages.advance_receipt(first, ben, DeliveryStatus.READ, NOW)
        assert read is not None and read.status is DeliveryStatus.READ
        assert await uow.messages.advance_receipt(first, ben, DeliveryStatus.DELIVERED, NOW) is None
        assert await uow.messages.advance_receipt(first, ana, DeliveryStatus.READ, NOW) is None
        assert await uow.messages.read_all(club.id, cem, NOW) == 5
        assert await uow.messages.read_all(club.id, cem, NOW) == 0
        await uow.commit()
    async with uow_factory() as uow:
        receipts = {(r.user_id, r.status) for r in await uow.messages.receipts([first])}
        assert receipts == {(ben, DeliveryStatus.READ), (cem, DeliveryStatus.READ)}
        edited = replace(sent[0], content="edited", is_edited=True, metadata={"k": [1]})
        await uow.messages.save(edited)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.messages.get(first) == edited


async def test_user_statuses_are_replaced(uow_factory):
    ana, ben = await users(uow_factory, 2)
    async with uow_factory() as uow:
        await uow.user_statuses.save(UserStatus(ana, Presence.ONLINE, NOW))
        await uow.commit()
    later = UserStatus(ana, Presence.AWAY, NOW + timedelta(minutes=5))
    async with uow_factory() as uow:
        await uow.user_statuses.save(later)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.user_statuses.get_many([ana, ben]) == [later]


async def test_an_event_is_claimed_once_per_consumer_and_a_lost_claim_keeps_the_transaction(
    uow_factory,
):
    event_id = str(uuid4())
    (ana,) = await users(uow_factory, 1)
    async with uow_factory() as uow:
        assert await uow.handled_events.claim("progress", event_id)
        assert not await uow.handled_events.claim("progress", event_id)
        assert await uow.handled_events.claim("analytics", event_id)
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.handled_events.claim("progress", event_id)
        await uow.user_statuses.save(UserStatus(ana, Presence.ONLINE, NOW))
        await uow.commit()
    async with uow_factory() as uow:
        assert len(await uow.user_statuses.get_many([ana])) == 1
    async with uow_factory() as uow:
        assert await uow.handled_events.claim("rolled-back", event_id)
    async with uow_factory() as uow:
        assert await uow.handled_events.claim("rolled-back", event_id)
