"""Input crafted to break the server: free-form JSON too deep or too large, integers past
what storage holds, instants outside years 1-9999 once in UTC, non-boolean booleans, methods
a path lacks. Each is a 400 (or 405) with the one error body, nothing is written, nothing
stored makes a list unreadable, and the schema states the limits. An unhandled error answers
with the request's one id."""

import base64
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ray.serve._private.http_util import _apply_middlewares

from adapters.http.app import create_app
from deployments.ingress import proxy_middlewares
from deployments.wiring import Container
from domain.assessment.prompts import MAX_PROMPTS
from domain.identity.rules import NAME_MAX_LENGTH
from domain.messaging.rules import CONTENT_MAX_LENGTH, METADATA_MAX_KEYS, TITLE_MAX_LENGTH
from domain.paging import MAX_PAGE, MAX_PAGE_SIZE
from domain.practice.rules import MAX_RESPONSE_TIME_MS, MAX_SENTENCES
from domain.synthesis import MAX_SYNTHESIS_CHARS
from domain.tutor.sessions import MAX_TOPIC_CHARS
from ports.messaging import Message, MessageType
from tests.api.test_game_sessions import count_sessions, session_body, speeches_and_tags
from tests.support.api import BASE_URL, assert_error, sign_up

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


# --- booleans, methods and the schema ---------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
async def test_booleans_are_json_booleans(client, value):
    owner, other = await sign_up(client), await sign_up(client)
    conversation_id = await conversation_of(client, owner, other)
    response = await client.put(
        f"{API}/conversations/{conversation_id}",
        json={"is_archived": value},
        headers=owner["headers"],
    )
    assert_error(response, 400, "ValidationError")
    response = await client.put(
        f"{API}/conversations/{conversation_id}/participants/{owner['user']['id']}",
        json={"is_muted": value},
        headers=owner["headers"],
    )
    assert_error(response, 400, "ValidationError")
    got = await client.get(f"{API}/conversations/{conversation_id}", headers=owner["headers"])
    assert got.json()["is_archived"] is False
    assert [p["is_muted"] for p in got.json()["participants"]] == [False, False]


async def test_a_405_names_every_method_of_its_path(client):
    learner = await sign_up(client)
    headers = learner["headers"]
    conversation_id = await conversation_of(client, learner, await sign_up(client))
    response = await client.post(f"{API}/conversations/{conversation_id}", headers=headers)
    assert_error(response, 405, "MethodNotAllowed")
    assert response.headers["allow"] == "DELETE, GET, PUT"
    # The tutor's path, not a messaging conversation with a malformed id.
    response = await client.put(f"{API}/conversations/sessions", json={}, headers=headers)
    assert_error(response, 405, "MethodNotAllowed")
    assert response.headers["allow"] == "GET, POST"
    response = await client.get(f"{API}/conversations/not-a-uuid", headers=headers)
    assert_error(response, 400, "ValidationError")


async def test_the_schema_states_the_limits_the_server_enforces(client):
    spec = (await client.get("/openapi.json")).json()

    def parameter(path: str, name: str) -> dict:
        (found,) = [p for p in spec["paths"][API + path]["get"]["parameters"] if p["name"] == name]
        return found["schema"]

    paged = [
        "/game/sessions",
        "/conversations",
        "/conversations/sessions",
        "/conversations/sessions/{session_id}/messages",
    ]
    for path in paged:
        assert parameter(path, "page") | {"minimum": 1, "maximum": MAX_PAGE} == parameter(
            path, "page"
        )
        assert parameter(path, "limit") | {"minimum": 1, "maximum": MAX_PAGE_SIZE} == parameter(
            path, "limit"
        )
    assert parameter("/conversations/{conversation_id}/messages", "limit")["maximum"] == (
        MAX_PAGE_SIZE
    )
    schemas = spec["components"]["schemas"]
    assert schemas["ResultIn"]["properties"]["response_time_ms"]["maximum"] == (
        MAX_RESPONSE_TIME_MS
    )
    assert schemas["GameSessionIn"]["properties"]["results"]["minItems"] == 1
    assert schemas["MessageIn"]["properties"]["metadata"]["maxProperties"] == METADATA_MAX_KEYS
    # Text lengths as the server counts them, and no blank text where it refuses one.
    texts = {
        ("RegisterRequest", "name"): NAME_MAX_LENGTH,
        ("MessageIn", "content"): CONTENT_MAX_LENGTH,
        ("ConversationIn", "title"): TITLE_MAX_LENGTH,
        ("SessionIn", "topic"): MAX_TOPIC_CHARS,
        ("SynthesisIn", "text"): MAX_SYNTHESIS_CHARS,
    }
    for (schema, field), longest in texts.items():
        text = schemas[schema]["properties"][field]
        text = next((t for t in text.get("anyOf", []) if t["type"] == "string"), text)
        assert text["maxLength"] == longest, (schema, field)
    assert schemas["GameSessionIn"]["properties"]["total_sentences"]["maximum"] == MAX_SENTENCES
    assert parameter("/speaking-prompts", "limit")["maximum"] == MAX_PROMPTS
    assert schemas["RandomSpeechesRequest"]["properties"]["tags"]["minItems"] == 1


# --- one request id ---------------------------------------------------------------------------


async def test_an_unhandled_error_answers_with_the_requests_id(container):
    app = create_app(container.http_services())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for headers in ({"X-Request-ID": "trace-500"}, {}):
            response = await client.get("/boom", headers=headers)
            body = assert_error(response, 500, "InternalError")
            assert response.headers.get_list("x-request-id") == [body["request_id"]]
            assert body["request_id"] == headers.get("X-Request-ID", body["request_id"])
            assert len(body["request_id"]) >= 9


async def test_behind_ray_serves_ingress_one_id_answers(container):
    """Ray Serve's ingress wraps the app in its own request-id middleware, which echoes
    the id it received, and in the middlewares the launcher names."""
    app = _apply_middlewares(create_app(container.http_services()), proxy_middlewares())
    transport = httpx.ASGITransport(app=app)
    long_id = "t" * 300
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for headers in ({"X-Request-ID": long_id}, {}):
            response = await client.get(f"{API}/no-such-route", headers=headers)
            body = assert_error(response, 404, "NotFound")
            assert response.headers.get_list("x-request-id") == [body["request_id"]]
        assert body["request_id"]
        response = await client.get(f"{API}/health", headers={"X-Request-ID": long_id})
        assert response.headers.get_list("x-request-id") == [long_id[:128]]
