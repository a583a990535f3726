"""Input crafted to break the server: free-form JSON too deep or too large, integers past
what storage holds, instants outside years 1-9999 once in UTC. Each is a 400 with the one
error body, nothing is written, and nothing stored makes a list unreadable."""

import base64
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deployments.wiring import Container
from domain.paging import MAX_PAGE, MAX_PAGE_SIZE
from ports.messaging import Message, MessageType
from tests.api.test_game_sessions import count_sessions, session_body, speeches_and_tags
from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio

API = "/api/v1"
PAST_INT64 = 2**63
# Years 1 and 9999 in their own zone, outside years 1-9999 once converted to UTC.
BEFORE_YEAR_1 = "0001-01-01T00:00:00+14:00"
AFTER_YEAR_9999 = "9999-12-31T23:00:00-05:00"


def nested(depth: int) -> dict:
    value: list = []
    for _ in range(depth - 2):
        value = [value]
    return {"k": value}


async def conversation_of(client: httpx.AsyncClient, owner: dict, *others: dict) -> str:
    response = await client.post(
        f"{API}/conversations",
        json={"type": "group", "title": "t", "participant_ids": [o["user"]["id"] for o in others]},
        headers=owner["headers"],
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def history(client: httpx.AsyncClient, reader: dict, conversation_id: str) -> list[dict]:
    response = await client.get(
        f"{API}/conversations/{conversation_id}/messages", headers=reader["headers"]
    )
    assert response.status_code == 200, response.text
    return response.json()["messages"]


# --- free-form JSON ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metadata",
    [
        nested(256),  # past what the serializer renders: the history became unreadable
        nested(9),
        {"k": "x" * 9000},
        {f"k{n}": n for n in range(21)},
    ],
    ids=["256 deep", "9 deep", "9 KB", "21 keys"],
)
async def test_metadata_past_its_bounds_is_refused_and_nothing_is_written(client, metadata):
    sender, reader = await sign_up(client), await sign_up(client)
    conversation_id = await conversation_of(client, sender, reader)
    response = await client.post(
        f"{API}/conversations/{conversation_id}/messages",
        json={"content": "hello", "metadata": metadata},
        headers=sender["headers"],
    )
    assert_error(response, 400, "ValidationError")
    assert await history(client, reader, conversation_id) == []


async def test_metadata_within_its_bounds_comes_back_whole(client):
    sender = await sign_up(client)
    conversation_id = await conversation_of(client, sender, await sign_up(client))
    metadata = {"reply_preview": "hi", "k": nested(8)["k"]}
    response = await client.post(
        f"{API}/conversations/{conversation_id}/messages",
        json={"content": "hello", "metadata": metadata},
        headers=sender["headers"],
    )
    assert response.status_code == 201, response.text
    assert (await history(client, sender, conversation_id))[0]["metadata"] == metadata


async def test_a_stored_message_past_the_bounds_leaves_the_history_readable(
    client, container: Container
):
    sender, reader = await sign_up(client), await sign_up(client)
    conversation_id = await conversation_of(client, sender, reader)
    response = await client.post(
        f"{API}/conversations/{conversation_id}/messages",
        json={"content": "before", "metadata": {"n": 1}},
        headers=sender["headers"],
    )
    assert response.status_code == 201, response.text
    # A row written before the bounds held, straight through the repository.
    now = datetime.now(UTC)
    deep = Message(
        id=uuid.uuid4(),
        conversation_id=uuid.UUID(conversation_id),
        sender_id=uuid.UUID(sender["user"]["id"]),
        content="deep",
        message_type=MessageType.TEXT,
        reply_to_id=None,
        metadata=nested(300),
        created_at=now,
        updated_at=now,
    )
    async with container.unit_of_work() as uow:
        await uow.messages.add(deep, [uuid.UUID(reader["user"]["id"])])
        await uow.commit()

    for reader_ in (sender, reader):
        messages = await history(client, reader_, conversation_id)
        assert [(m["content"], m["metadata"]) for m in messages] == [
            ("deep", {}),
            ("before", {"n": 1}),
        ]


# --- integers past storage ----------------------------------------------------------------


async def test_every_paged_list_refuses_a_page_past_storage(client):
    learner = await sign_up(client)
    headers = learner["headers"]
    started = await client.post(f"{API}/conversations/sessions", json={}, headers=headers)
    assert started.status_code == 201, started.text
    lists = [
        f"{API}/game/sessions",
        f"{API}/conversations",
        f"{API}/conversations/sessions",
        f"{API}/conversations/sessions/{started.json()['id']}/messages",
    ]
    for path in lists:
        for page in (PAST_INT64 - 1, MAX_PAGE + 1):
            response = await client.get(f"{path}?page={page}", headers=headers)
            assert_error(response, 400, "ValidationError")
        for limit in (0, MAX_PAGE_SIZE + 1, PAST_INT64):
            response = await client.get(f"{path}?limit={limit}", headers=headers)
            assert_error(response, 400, "ValidationError")
        last = await client.get(f"{path}?page={MAX_PAGE}&limit={MAX_PAGE_SIZE}", headers=headers)
        assert last.status_code == 200, (path, last.text)
    conversation_id = await conversation_of(client, learner, await sign_up(client))
    response = await client.get(
        f"{API}/conversations/{conversation_id}/messages?limit={PAST_INT64}", headers=headers
    )
    assert_error(response, 400, "ValidationError")


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b["results"][0].update(response_time_ms=PAST_INT64),
        lambda b: b["results"][0].update(sequence_number=PAST_INT64),
        lambda b: b.update(duration_seconds=PAST_INT64),
        lambda b: b.update(total_sentences=PAST_INT64),
        lambda b: b.update(correct_count=PAST_INT64),
        lambda b: b.update(max_streak=-PAST_INT64),
    ],
    ids=["response_time_ms", "sequence_number", "duration", "total", "correct", "streak"],
)
async def test_game_session_integers_past_storage_are_refused(client, container, change):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(speeches, tags, "cc")
    change(body)
    response = await client.post(f"{API}/game/sessions", json=body, headers=learner["headers"])
    assert_error(response, 400, "ValidationError")
    assert await count_sessions(container, learner["user"]["id"]) == 0


# --- instants outside years 1-9999 in UTC ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [f"from_date={BEFORE_YEAR_1}", f"to_date={AFTER_YEAR_9999}"],
)
async def test_date_filters_outside_utc_years_are_refused(client, query):
    learner = await sign_up(client)
    response = await client.get(
        f"{API}/game/sessions", params=dict([query.split("=", 1)]), headers=learner["headers"]
    )
    assert_error(response, 400, "ValidationError")


async def test_a_cursor_outside_utc_years_is_refused(client):
    learner = await sign_up(client)
    conversation_id = await conversation_of(client, learner, await sign_up(client))
    cursor = base64.urlsafe_b64encode(f"{BEFORE_YEAR_1}|{uuid.uuid4()}".encode()).decode()
    response = await client.get(
        f"{API}/conversations/{conversation_id}/messages",
        params={"before": cursor},
        headers=learner["headers"],
    )
    assert_error(response, 400, "ValidationError")


@pytest.mark.parametrize(
    "times",
    [
        {"started_at": BEFORE_YEAR_1},
        {"completed_at": AFTER_YEAR_9999},
        # Year 1 to 9999 claimed as a 30-second session.
        {
            "started_at": "0001-01-01T00:00:00Z",
            "completed_at": "9999-12-31T00:00:00Z",
            "duration_seconds": 30,
        },
        # Plausible days, but a duration that disagrees with them.
        {"duration_seconds": 30},
        # Ending a day ahead of the server's clock.
        {
            "started_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
            "completed_at": (datetime.now(UTC) + timedelta(days=1, minutes=5)).isoformat(),
        },
    ],
    ids=["before year 1", "after year 9999", "year 1 to 9999", "duration", "future"],
)
async def test_game_session_times_must_be_storable_and_plausible(client, container, times):
    learner = await sign_up(client)
    speeches, tags = await speeches_and_tags(client, learner["headers"])
    body = session_body(speeches, tags, "cc")
    body.update(times)
    response = await client.post(f"{API}/game/sessions", json=body, headers=learner["headers"])
    assert_error(response, 400, "ValidationError")
    assert await count_sessions(container, learner["user"]["id"]) == 0
