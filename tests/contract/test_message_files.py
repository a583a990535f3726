"""The file messages a deletion must take with it, found on every SQL database we support."""

from dataclasses import replace
from uuid import uuid4

from ports.messaging import Message, MessageType
from tests.contract.test_messaging_repositories import NOW, conversation, message, users


def file_message(conversation_id, sender) -> Message:
    sent = message(conversation_id, sender, NOW, "")
    return replace(sent, message_type=MessageType.FILE, metadata={"blob_key": f"k/{uuid4()}"})


async def test_files_of_a_conversation_or_a_sender_not_deleted(uow_factory):
    ana, ben = await users(uow_factory, 2)
    club, other = (
        await conversation(uow_factory, [ana, ben]),
        await conversation(uow_factory, [ana]),
    )
    anas, bens = file_message(club.id, ana), file_message(club.id, ben)
    elsewhere = file_message(other.id, ana)
    deleted = replace(file_message(club.id, ana), is_deleted=True)
    async with uow_factory() as uow:
        for sent in (anas, bens, elsewhere, deleted, message(club.id, ana, NOW)):
            await uow.messages.add(sent, [])
        await uow.commit()
    async with uow_factory() as uow:
        in_club = await uow.messages.files(conversation_id=club.id)
        of_ana = await uow.messages.files(sender_id=ana)
        of_ana_in_club = await uow.messages.files(conversation_id=club.id, sender_id=ana)
    assert {m.id for m in in_club} == {anas.id, bens.id}
    assert {m.id for m in of_ana} == {anas.id, elsewhere.id}
    assert [m.metadata for m in of_ana_in_club] == [anas.metadata]
