"""Who is online, and who is typing: presence a participant's contacts see live."""

from datetime import UTC, datetime
from uuid import UUID

from domain.errors import InvalidInput
from domain.messaging import events
from domain.messaging.rules import require_membership
from ports.events import EventBus
from ports.messaging import Presence, UserStatus
from ports.unit_of_work import MessagingUnitOfWork

MAX_STATUS_LOOKUPS = 100


async def set_status(user_id: UUID, status: Presence, uow: MessagingUnitOfWork) -> UserStatus:
    """Records the status (and now as last seen) and tells the participants of the user's
    conversations."""
    async with uow:
        current = UserStatus(user_id, status, datetime.now(UTC))
        await uow.user_statuses.save(current)
        conversation_ids = await uow.conversations.ids_for_user(user_id)
        await uow.outbox.add(events.user_status_changed(current, conversation_ids))
        await uow.commit()
    return current


async def statuses(
    user_id: UUID, user_ids: list[UUID], uow: MessagingUnitOfWork
) -> list[UserStatus]:
    """The statuses of the caller and of the users sharing a conversation with the caller,
    among `user_ids`; others (and users with no status yet) are left out."""
    wanted = list(dict.fromkeys(user_ids))
    if not 1 <= len(wanted) <= MAX_STATUS_LOOKUPS:
        raise InvalidInput(
            f"Ask for 1 to {MAX_STATUS_LOOKUPS} users at a time", {"field": "user_ids"}
        )
    async with uow:
        others = [u for u in wanted if u != user_id]
        visible = set(await uow.conversations.share_conversation(user_id, others))
        visible.update(u for u in wanted if u == user_id)
        return await uow.user_statuses.get_many([u for u in wanted if u in visible])


async def signal_typing(
    user_id: UUID, conversation_id: UUID, is_typing: bool, uow: MessagingUnitOfWork, bus: EventBus
) -> None:
    """Fan-out only: a typing indicator is worthless once late, so it is never stored."""
    async with uow:
        await require_membership(uow.conversations, conversation_id, user_id)
    await bus.publish(events.typing(conversation_id, user_id, is_typing))
