"""The unit of work: one transaction, with the repositories that take part in it."""

from types import TracebackType
from typing import Protocol, Self

from ports.content import SpeechRepository, TagRepository
from ports.identity import LoginSessionRepository, UserRepository
from ports.messaging import ConversationRepository, MessageRepository, UserStatusRepository
from ports.outbox import HandledEvents, Outbox
from ports.practice import GameSessionRepository
from ports.tutoring import TutorMessageRepository, TutorSessionRepository


class UnitOfWork(Protocol):
    """`async with uow:` opens a transaction; leaving the block without `commit()` rolls it
    back, so a use case that raises writes nothing."""

    users: UserRepository
    login_sessions: LoginSessionRepository
    tags: TagRepository
    speeches: SpeechRepository
    game_sessions: GameSessionRepository
    conversations: ConversationRepository
    messages: MessageRepository
    user_statuses: UserStatusRepository
    tutor_sessions: TutorSessionRepository
    tutor_messages: TutorMessageRepository
    outbox: Outbox
    handled_events: HandledEvents

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
