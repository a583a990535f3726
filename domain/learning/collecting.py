"""How what a learner meets becomes review items: new ones due at once, one per text."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID, uuid4

from domain.errors import Conflict, InvalidInput
from domain.learning.rules import MAX_NOTE_CHARS, item_key, item_text
from ports.reviews import ItemOrigin, ReviewItem, ReviewItemRepository, ReviewPhase, ReviewSchedule


def new_schedule(now: datetime) -> ReviewSchedule:
    """An item never reviewed is due at once, in its first learning step."""
    return ReviewSchedule(ReviewPhase.LEARNING, 0, None, None, now, None)


def new_item(
    user_id: UUID, text: str, note: str | None, origin: ItemOrigin, now: datetime
) -> ReviewItem:
    return ReviewItem(
        id=uuid4(),
        user_id=user_id,
        text=text,
        key=item_key(text),
        note=note,
        origin=origin,
        schedule=new_schedule(now),
        reviews=0,
        lapses=0,
        created_at=now,
    )


async def collect_items(
    items: ReviewItemRepository,
    user_id: UUID,
    met: Iterable[tuple[str, str | None]],
    origin: ItemOrigin,
    now: datetime,
) -> list[ReviewItem]:
    """Adds, inside the caller's transaction, an item for each (text, note) the learner met
    and has no item of yet; texts that are no word or phrase are passed over."""
    candidates: dict[str, tuple[str, str | None]] = {}
    for text, note in met:
        try:
            cleaned = item_text(text)
        except InvalidInput:
            continue
        candidates.setdefault(item_key(cleaned), (cleaned, note and note[:MAX_NOTE_CHARS]))
    known = await items.keys(user_id, list(candidates))
    added = []
    for key, (text, note) in candidates.items():
        if key in known:
            continue
        item = new_item(user_id, text, note, origin, now)
        try:
            await items.add(item)
        except Conflict:
            # Another request added it since `keys` looked: the item is there, which is all
            # this wanted; the caller's turn or analysis must not fail for it.
            continue
        added.append(item)
    return added
