"""Tutoring's use cases over the in-memory unit of work: whose session it is, when a turn is
refused, and that a turn stores both messages or neither."""

import asyncio
from uuid import uuid4

import pytest

from adapters.memory.unit_of_work import InMemoryDatabase, InMemoryUnitOfWork
from domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
)
from domain.tutor.sessions import (
    end_session,
    get_session,
    list_messages,
    start_session,
    take_turn,
)
from ports.cefr import CefrLevel
from ports.grammar import Correction, Dialect
from ports.tutoring import (
    InputMode,
    SessionStatus,
    Speaker,
    Stage,
    TurnContext,
    TutorReply,
)
from tests.support.memory import given, learner


class PoliteTutor:
    """Corrects "He go", and always answers the same. It answers once `together` turns wait
    for it, as a slow tutor would let several turns read the session first."""

    def __init__(self, together: int = 1) -> None:
        self.contexts: list[TurnContext] = []
        self._together = together
        self._all_asked = asyncio.Event()

    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        self.contexts.append(context)
        if len(self.contexts) >= self._together:
            self._all_asked.set()
        await self._all_asked.wait()
        corrections = []
        corrected = None
        if "He go " in learner_text:
            start = learner_text.index("go ")
            corrections = [Correction(start, start + 2, "go", "goes", "Agreement", "Grammar")]
            corrected = learner_text.replace("He go ", "He goes ")
        return TutorReply("Tell me more!", corrections, corrected, Stage.VOCABULARY, "polite")


class SilentTutor:
    async def reply(self, context: TurnContext, learner_text: str) -> TutorReply:
        raise ServiceUnavailable("The language model is down")


@pytest.fixture
async def database() -> InMemoryDatabase:
    return InMemoryDatabase()


async def started(database: InMemoryDatabase, topic: str = "school"):
    ana = learner()
    await given(database, ana)
    session, _ = await start_session(ana.id, CefrLevel.A2, topic, InMemoryUnitOfWork(database))
    return ana, session


async def messages(database: InMemoryDatabase, user_id, session_id):
    page = await list_messages(user_id, session_id, 1, 100, InMemoryUnitOfWork(database))
    return page.items


async def test_a_turn_stores_the_learners_words_and_the_tutors_reply(database):
    ana, session = await started(database)
    tutor = PoliteTutor()

    turn = await take_turn(
        ana.id,
        session.id,
        "He go  to school.",
        InputMode.TEXT,
        tutor,
        InMemoryUnitOfWork(database),
        Dialect.BRITISH,
    )

    assert turn.reply.corrected_text == "He goes to school."
    assert turn.session.stage is Stage.VOCABULARY and turn.session.message_count == 3
    stored = await messages(database, ana.id, session.id)
    assert [(m.sequence, m.speaker) for m in stored] == [
        (1, Speaker.TUTOR),
        (2, Speaker.LEARNER),
        (3, Speaker.TUTOR),
    ]
    assert stored[1].text == "He go to school." and stored[1].corrections == turn.reply.corrections
    # The tutor hears what came before: the greeting.
    (context,) = tutor.contexts
    assert [m.sequence for m in context.history] == [1] and context.learner_turns == 0
    # Published with the turn, for the learner's daily activity.
    (published,) = database.outbox
    assert published.type == "tutor_session.turn_taken"
    assert published.payload["message_id"] == str(stored[1].id)


async def test_a_session_belongs_to_its_learner(database):
    ana, session = await started(database)
    ben = learner("Ben")
    await given(database, ben)
    uow = InMemoryUnitOfWork(database)

    with pytest.raises(Forbidden):
        await get_session(ben.id, session.id, uow)
    with pytest.raises(Forbidden):
        await take_turn(
            ben.id, session.id, "Hi", InputMode.TEXT, PoliteTutor(), uow, Dialect.BRITISH
        )
    with pytest.raises(Forbidden):
        await end_session(ben.id, session.id, uow)
    with pytest.raises(NotFound):
        await get_session(ana.id, uuid4(), uow)
    assert len(await messages(database, ana.id, session.id)) == 1


async def test_an_ended_session_ends_once_and_takes_no_more_turns(database):
    ana, session = await started(database)
    uow = InMemoryUnitOfWork(database)

    ended = await end_session(ana.id, session.id, uow)

    assert ended.status is SessionStatus.ENDED and ended.ended_at is not None
    with pytest.raises(Conflict):
        await end_session(ana.id, session.id, uow)
    with pytest.raises(Conflict):
        await take_turn(
            ana.id, session.id, "Hello", InputMode.TEXT, PoliteTutor(), uow, Dialect.BRITISH
        )
    assert len(await messages(database, ana.id, session.id)) == 1 and database.outbox == []


async def test_of_two_turns_at_once_one_is_stored_and_the_other_is_a_conflict(database):
    ana, session = await started(database)
    tutor = PoliteTutor(together=2)

    def turn(text: str):
        uow = InMemoryUnitOfWork(database)
        return take_turn(ana.id, session.id, text, InputMode.TEXT, tutor, uow, Dialect.BRITISH)

    outcomes = await asyncio.gather(
        turn("I have a dog."), turn("I have a cat."), return_exceptions=True
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Turn"]
    assert len(await messages(database, ana.id, session.id)) == 3


async def test_a_turn_the_tutor_cannot_answer_stores_nothing(database):
    ana, session = await started(database)
    with pytest.raises(ServiceUnavailable):
        await take_turn(
            ana.id,
            session.id,
            "Hello",
            InputMode.TEXT,
            SilentTutor(),
            InMemoryUnitOfWork(database),
            Dialect.BRITISH,
        )
    assert len(await messages(database, ana.id, session.id)) == 1


async def test_bad_input_and_a_deleted_account_are_refused_before_anything_is_stored(database):
    ana, session = await started(database)
    uow = InMemoryUnitOfWork(database)

    with pytest.raises(InvalidInput):
        await take_turn(
            ana.id, session.id, "   ", InputMode.TEXT, PoliteTutor(), uow, Dialect.BRITISH
        )
    with pytest.raises(InvalidInput):
        await start_session(ana.id, CefrLevel.A1, "x" * 201, uow)
    with pytest.raises(Unauthenticated):
        await start_session(uuid4(), CefrLevel.A1, None, uow)

    assert len(await messages(database, ana.id, session.id)) == 1
    assert len(database.tables.tutor_sessions) == 1
