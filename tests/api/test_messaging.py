"""000's messaging through the real app: conversations, participants, messages, receipts,
uploads and user status over REST; pushes over the messaging WebSocket (in-process bus)."""

import asyncio
import struct
import uuid
import zlib

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from ports.events import Event
from tests.support.api import BASE_URL, assert_error, sign_up
from tests.support.sockets import Socket

pytestmark = pytest.mark.asyncio

API = "/api/v1"


def png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def users(client: httpx.AsyncClient, count: int) -> list[dict]:
    return [await sign_up(client) for _ in range(count)]


async def group(client: httpx.AsyncClient, owner: dict, *members: dict, title="Book club"):
    response = await client.post(
        f"{API}/conversations",
        json={
            "type": "group",
            "title": title,
            "participant_ids": [m["user"]["id"] for m in members],
        },
        headers=owner["headers"],
    )
    assert response.status_code == 201, response.text
    return response.json()


async def send(client: httpx.AsyncClient, sender: dict, conversation_id: str, text: str, **extra):
    response = await client.post(
        f"{API}/conversations/{conversation_id}/messages",
        json={"content": text, **extra},
        headers=sender["headers"],
    )
    assert response.status_code == 201, response.text
    return response.json()


# Conversations and participants


async def test_direct_conversations_are_one_per_pair_and_private(client):
    ana, ben, eve = await users(client, 3)
    body = {"type": "direct", "participant_ids": [ben["user"]["id"]]}
    created = await client.post(f"{API}/conversations", json=body, headers=ana["headers"])
    assert created.status_code == 201, created.text
    conversation = created.json()
    assert conversation["type"] == "direct"
    assert {p["user_id"] for p in conversation["participants"]} == {
        ana["user"]["id"],
        ben["user"]["id"],
    }
    back = {"type": "direct", "participant_ids": [ana["user"]["id"]]}
    again = await client.post(f"{API}/conversations", json=back, headers=ben["headers"])
    assert again.status_code == 200 and again.json()["id"] == conversation["id"]

    listed = await client.get(f"{API}/conversations", headers=ben["headers"])
    assert [c["id"] for c in listed.json()["conversations"]] == [conversation["id"]]
    path = f"{API}/conversations/{conversation['id']}"
    assert (await client.get(path, headers=ana["headers"])).status_code == 200
    assert_error(await client.get(path, headers=eve["headers"]), 403, "Forbidden")
    unknown = f"{API}/conversations/{uuid.uuid4()}"
    assert_error(await client.get(unknown, headers=ana["headers"]), 404, "NotFound")
    assert_error(
        await client.get(f"{API}/conversations/not-an-id", headers=ana["headers"]),
        400,
        "ValidationError",
    )
    assert_error(await client.get(path), 401, "Unauthorized")


@pytest.mark.parametrize(
    "body",
    [
        {"type": "group", "participant_ids": [], "title": "x" * 201},
        {"type": "channel", "participant_ids": []},
        {"type": "group", "participant_ids": ["nope"]},
    ],
)
async def test_invalid_conversations_are_refused(client, body):
    ana = await sign_up(client)
    response = await client.post(f"{API}/conversations", json=body, headers=ana["headers"])
    assert_error(response, 400, "ValidationError")


async def test_unknown_participants_are_not_found_by_id(client):
    ana = await sign_up(client)
    unknown = str(uuid.uuid4())
    body = {"type": "group", "participant_ids": [unknown]}
    response = await client.post(f"{API}/conversations", json=body, headers=ana["headers"])
    assert assert_error(response, 404, "NotFound")["details"]["user_ids"] == [unknown]


async def test_participants_are_added_changed_and_removed(client):
    ana, ben, cem, dia = await users(client, 4)
    conversation = await group(client, ana, ben)
    base = f"{API}/conversations/{conversation['id']}/participants"

    refused = await client.post(base, json={"user_id": cem["user"]["id"]}, headers=ben["headers"])
    assert_error(refused, 403, "Forbidden")
    added = await client.post(base, json={"user_id": cem["user"]["id"]}, headers=ana["headers"])
    assert added.status_code == 201 and added.json()["role"] == "member"
    twice = await client.post(base, json={"user_id": cem["user"]["id"]}, headers=ana["headers"])
    assert_error(twice, 409, "Conflict")

    mine = f"{base}/{ben['user']['id']}"
    muted = await client.put(mine, json={"is_muted": True}, headers=ben["headers"])
    assert muted.status_code == 200 and muted.json()["is_muted"] is True
    promote = await client.put(mine, json={"role": "admin"}, headers=ana["headers"])
    assert promote.json()["role"] == "admin"

    removed = await client.delete(f"{base}/{cem['user']['id']}", headers=ben["headers"])
    assert removed.status_code == 204
    not_there = await client.delete(f"{base}/{dia['user']['id']}", headers=ben["headers"])
    assert_error(not_there, 404, "NotFound")
    detail = await client.get(f"{API}/conversations/{conversation['id']}", headers=ben["headers"])
    assert {p["user_id"] for p in detail.json()["participants"]} == {
        ana["user"]["id"],
        ben["user"]["id"],
    }


async def test_archive_and_soft_delete(client):
    ana, ben = await users(client, 2)
    conversation = await group(client, ana, ben)
    path = f"{API}/conversations/{conversation['id']}"
    archived = await client.put(path, json={"is_archived": True}, headers=ana["headers"])
    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert (await client.get(f"{API}/conversations", headers=ana["headers"])).json()["total"] == 0
    listed = await client.get(f"{API}/conversations?archived=true", headers=ana["headers"])
    assert [c["id"] for c in listed.json()["conversations"]] == [conversation["id"]]
    renamed = await client.put(path, json={"title": "Grammar club"}, headers=ana["headers"])
    assert renamed.json()["title"] == "Grammar club"

    assert (await client.delete(path, headers=ana["headers"])).status_code == 204
    assert_error(await client.get(path, headers=ana["headers"]), 404, "NotFound")


# Messages


async def test_messages_page_by_cursor_newest_first(client):
    ana, ben = await users(client, 2)
    conversation = await group(client, ana, ben)
    sent = [await send(client, ana, conversation["id"], f"message {n}") for n in range(5)]
    path = f"{API}/conversations/{conversation['id']}/messages"
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&before={cursor}" if cursor else "")
        page = (await client.get(path + query, headers=ben["headers"])).json()
        seen += [m["content"] for m in page["messages"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [m["content"] for m in reversed(sent)]
    assert_error(
        await client.get(f"{path}?before=garbage", headers=ben["headers"]), 400, "ValidationError"
    )
    assert_error(
        await client.get(f"{path}?limit=0", headers=ben["headers"]), 400, "ValidationError"
    )
    assert_error(
        await client.get(f"{path}?limit=101", headers=ben["headers"]), 400, "ValidationError"
    )


async def test_reply_edit_and_delete(client):
    ana, ben = await users(client, 2)
    conversation = await group(client, ana, ben)
    first = await send(client, ana, conversation["id"], "How are you?")
    reply = await send(client, ben, conversation["id"], "Fine!", reply_to_id=first["id"])
    assert reply["reply_to_id"] == first["id"]
    for content in ["", "x" * 4001]:
        refused = await client.post(
            f"{API}/conversations/{conversation['id']}/messages",
            json={"content": content},
            headers=ana["headers"],
        )
        assert_error(refused, 400, "ValidationError")

    path = f"{API}/messages/{first['id']}"
    edited = await client.put(path, json={"content": "How are you doing?"}, headers=ana["headers"])
    assert edited.status_code == 200
    assert edited.json()["is_edited"] is True and edited.json()["content"] == "How are you doing?"
    assert (await client.delete(path, headers=ana["headers"])).status_code == 204
    history = await client.get(
        f"{API}/conversations/{conversation['id']}/messages", headers=ben["headers"]
    )
    deleted = next(m for m in history.json()["messages"] if m["id"] == first["id"])
    assert deleted["is_deleted"] is True and deleted["content"] == ""
    assert_error(
        await client.put(
            f"{API}/messages/{uuid.uuid4()}", json={"content": "x"}, headers=ana["headers"]
        ),
        404,
        "NotFound",
    )


async def test_receipts_move_from_sent_to_read(client):
    ana, ben, cem = await users(client, 3)
    conversation = await group(client, ana, ben, cem)
    first = await send(client, ana, conversation["id"], "one")
    await send(client, ana, conversation["id"], "two")
    assert first["status"] == "sent"
    assert {r["user_id"] for r in first["receipts"]} == {ben["user"]["id"], cem["user"]["id"]}

    listed = await client.get(f"{API}/conversations", headers=ben["headers"])
    assert listed.json()["conversations"][0]["unread_count"] == 2
    read = await client.post(f"{API}/messages/{first['id']}/read", headers=ben["headers"])
    assert read.status_code == 200 and read.json()["status"] == "read"
    again = await client.post(f"{API}/messages/{first['id']}/read", headers=ben["headers"])
    assert again.json()["updated_at"] is None

    history = await client.get(
        f"{API}/conversations/{conversation['id']}/messages", headers=ana["headers"]
    )
    by_id = {m["id"]: m for m in history.json()["messages"]}
    receipts = {r["user_id"]: r["status"] for r in by_id[first["id"]]["receipts"]}
    assert receipts == {ben["user"]["id"]: "read", cem["user"]["id"]: "sent"}
    assert by_id[first["id"]]["status"] == "sent"

    marked = await client.post(
        f"{API}/conversations/{conversation['id']}/read", headers=cem["headers"]
    )
    assert marked.status_code == 200 and marked.json()["marked"] == 2
    await client.post(f"{API}/conversations/{conversation['id']}/read", headers=ben["headers"])
    history = await client.get(
        f"{API}/conversations/{conversation['id']}/messages", headers=ana["headers"]
    )
    assert {m["status"] for m in history.json()["messages"]} == {"read"}
    listed = await client.get(f"{API}/conversations", headers=cem["headers"])
    assert listed.json()["conversations"][0]["unread_count"] == 0


async def test_files_are_uploaded_within_limits(client):
    ana, ben, eve = await users(client, 3)
    conversation = await group(client, ana, ben)
    path = f"{API}/conversations/{conversation['id']}/upload"
    image = png(4, 4)
    uploaded = await client.post(
        path,
        files={"file": ("../photo of me.png", image, "image/png")},
        data={"caption": "My drawing"},
        headers=ana["headers"],
    )
    assert uploaded.status_code == 201, uploaded.text
    message = uploaded.json()
    assert message["message_type"] == "file" and message["content"] == "My drawing"
    assert message["file"]["file_name"] == "photo of me.png"
    assert message["file"]["size"] == len(image) and message["metadata"] == {}
    fetched = await client.get(message["file"]["url"].removeprefix(BASE_URL))
    assert fetched.status_code == 200 and fetched.content == image

    cases = [
        (("a.exe", b"MZ\x90\x00", "application/x-msdownload"), 400, "ValidationError"),
        (("fake.png", b"not a png at all", "image/png"), 400, "ValidationError"),
        (("empty.txt", b"", "text/plain"), 400, "ValidationError"),
        (("big.txt", b"a" * ((10 << 20) + 1), "text/plain"), 413, "PayloadTooLarge"),
    ]
    for file, status, code in cases:
        response = await client.post(path, files={"file": file}, headers=ana["headers"])
        assert_error(response, status, code)
    stranger = await client.post(
        path, files={"file": ("a.png", image, "image/png")}, headers=eve["headers"]
    )
    assert_error(stranger, 403, "Forbidden")
    history = await client.get(
        f"{API}/conversations/{conversation['id']}/messages", headers=ben["headers"]
    )
    assert len(history.json()["messages"]) == 1


async def test_statuses_are_visible_to_contacts_only(client):
    ana, ben, eve = await users(client, 3)
    await group(client, ana, ben)
    for user, status in ((ana, "away"), (ben, "online"), (eve, "online")):
        response = await client.put(
            f"{API}/users/status", json={"status": status}, headers=user["headers"]
        )
        assert response.status_code == 200 and response.json()["status"] == status
    ids = ",".join(u["user"]["id"] for u in (ana, ben, eve))
    seen = await client.get(f"{API}/users/status?user_ids={ids}", headers=ana["headers"])
    assert {s["user_id"]: s["status"] for s in seen.json()["statuses"]} == {
        ana["user"]["id"]: "away",
        ben["user"]["id"]: "online",
    }
    bad = await client.put(f"{API}/users/status", json={"status": "busy"}, headers=ana["headers"])
    assert_error(bad, 400, "ValidationError")
    assert_error(
        await client.get(f"{API}/users/status?user_ids=1,2", headers=ana["headers"]),
        400,
        "ValidationError",
    )


async def test_messages_outlive_their_senders_account(client):
    ana, ben = await users(client, 2)
    conversation = await group(client, ana, ben)
    await send(client, ben, conversation["id"], "Bye, everyone")
    assert (await client.delete(f"{API}/users/me", headers=ben["headers"])).status_code == 204
    history = await client.get(
        f"{API}/conversations/{conversation['id']}/messages", headers=ana["headers"]
    )
    (kept,) = history.json()["messages"]
    assert kept["content"] == "Bye, everyone" and kept["sender_id"] is None
    detail = await client.get(f"{API}/conversations/{conversation['id']}", headers=ana["headers"])
    assert [p["user_id"] for p in detail.json()["participants"]] == [ana["user"]["id"]]


# Events


async def test_committed_changes_reach_the_bus_and_refused_ones_do_not(client, container):
    ana, ben, eve = await users(client, 3)
    conversation = await group(client, ana, ben)
    seen: list[Event] = []

    async def record(event: Event) -> None:
        # Other tests' accounts are deleted too: only this test's events count.
        if event.type != "user.deleted" or event.payload["user_id"] == eve["user"]["id"]:
            seen.append(event)

    subscriptions = [
        await container.event_bus.subscribe("user.deleted", record),
        await container.event_bus.subscribe(f"conversation.{conversation['id']}.>", record),
    ]
    refused = await client.post(
        f"{API}/conversations/{conversation['id']}/messages",
        json={"content": "let me in"},
        headers=eve["headers"],
    )
    assert refused.status_code == 403
    message = await send(client, ana, conversation["id"], "hello")
    assert (await client.delete(f"{API}/users/me", headers=eve["headers"])).status_code == 204
    for _ in range(500):
        if len(seen) == 2:
            break
        await asyncio.sleep(0.01)
    assert [(e.type, e.payload.get("user_id")) for e in seen] == [
        (f"conversation.{conversation['id']}.message_sent", None),
        ("user.deleted", eve["user"]["id"]),
    ]
    assert seen[0].payload["message"]["id"] == message["id"]
    for subscription in subscriptions:
        await subscription.stop()


# The messaging WebSocket


async def test_sockets_get_messages_receipts_typing_and_status_live(client, live):
    ana, ben = await users(client, 2)
    conversation = await group(client, ana, ben)
    cid = conversation["id"]
    async with Socket.open(live, f"/api/v1/ws/{ana['access_token']}") as a:
        established = await a.expect("connection_established")
        assert established["conversations"] == [cid]
        async with Socket.open(live, additional_headers=ben["headers"]) as b:
            await b.expect("connection_established")
            await a.expect("user_status_change", user_id=ben["user"]["id"], status="online")
            await _chat(client, ana, ben, cid, a, b)
    await asyncio.sleep(0.2)
    statuses = await client.get(
        f"{API}/users/status?user_ids={ben['user']['id']}", headers=ana["headers"]
    )
    assert statuses.json()["statuses"][0]["status"] == "offline"


async def _chat(client, ana, ben, cid, a: Socket, b: Socket) -> None:
    """What two participants see of each other: messages, typing, receipts, edits, status."""
    message = await send(client, ana, cid, "Did you finish the exercise?")
    for socket in (a, b):
        pushed = await socket.expect("message_new", conversation_id=cid)
        assert pushed["message"]["id"] == message["id"]
        assert pushed["message"]["content"] == "Did you finish the exercise?"

    await b.send({"type": "typing_start", "conversation_id": cid})
    typing = await a.expect("typing_start", conversation_id=cid)
    assert typing["user_id"] == ben["user"]["id"]
    await b.send({"type": "typing_stop", "conversation_id": cid})
    await a.expect("typing_stop", conversation_id=cid)
    assert await b.silent("typing_start")

    await b.send({"type": "message_delivered", "message_id": message["id"]})
    await a.expect("message_status", message_id=message["id"], status="delivered")
    await b.send({"type": "message_read", "message_id": message["id"]})
    await a.expect("message_status", message_id=message["id"], status="read")

    edited = await client.put(
        f"{API}/messages/{message['id']}", json={"content": "Done?"}, headers=ana["headers"]
    )
    assert edited.status_code == 200
    pushed = await b.expect("message_edited", conversation_id=cid)
    assert pushed["message"]["content"] == "Done?"

    await b.send({"type": "user_status_change", "status": "away"})
    await a.expect("user_status_change", user_id=ben["user"]["id"], status="away")

    await b.send({"type": "ping"})
    await b.expect("pong")


async def test_sockets_join_new_conversations_and_refuse_foreign_ones(client, live):
    ana, ben, eve = await users(client, 3)
    private = await group(client, ana, eve, title="Private")
    async with Socket.open(live) as b:
        await b.send({"type": "auth", "token": ben["access_token"]})
        assert (await b.expect("connection_established"))["conversations"] == []

        await b.send({"type": "join_conversation", "conversation_id": private["id"]})
        error = await b.expect("error", request="join_conversation")
        assert error["error"] == "Forbidden"
        await b.send({"type": "typing_start", "conversation_id": private["id"]})
        assert (await b.expect("error", request="typing_start"))["error"] == "Forbidden"
        await b.send({"type": "dance"})
        assert (await b.expect("error", request="dance"))["error"] == "ValidationError"
        await b.send({"type": "join_conversation", "conversation_id": "nope"})
        assert (await b.expect("error", request="join_conversation"))["error"] == "ValidationError"
        await b.connection.send("{not json")
        assert (await b.expect("error"))["error"] == "ValidationError"
        await b.connection.send(b"\x00binary")
        assert (await b.expect("error"))["message"] == "Send JSON in text frames"

        conversation = await group(client, ana, ben)
        await b.expect("conversation_joined", conversation_id=conversation["id"])
        await send(client, ana, conversation["id"], "Welcome!")
        await b.expect("message_new", conversation_id=conversation["id"])
        await send(client, ana, private["id"], "Secret")
        assert await b.silent("message_new")

        await b.send({"type": "leave_conversation", "conversation_id": conversation["id"]})
        await b.expect("left_conversation")
        await send(client, ana, conversation["id"], "Anyone?")
        assert await b.silent("message_new")


async def test_sockets_follow_participants_and_deletions(client, live):
    ana, ben, cem = await users(client, 3)
    conversation = await group(client, ana, ben)
    cid = conversation["id"]
    async with Socket.open(live, f"/api/v1/ws/{ben['access_token']}") as b:
        await b.expect("connection_established")
        added = await client.post(
            f"{API}/conversations/{cid}/participants",
            json={"user_id": cem["user"]["id"]},
            headers=ana["headers"],
        )
        assert added.status_code == 201
        pushed = await b.expect("participant_added", conversation_id=cid)
        assert pushed["participant"]["user_id"] == cem["user"]["id"]

        renamed = await client.put(
            f"{API}/conversations/{cid}", json={"title": "Phonetics"}, headers=ana["headers"]
        )
        assert renamed.status_code == 200
        pushed = await b.expect("conversation_updated", conversation_id=cid)
        assert pushed["conversation"]["title"] == "Phonetics"

        removed = await client.delete(
            f"{API}/conversations/{cid}/participants/{ben['user']['id']}", headers=ana["headers"]
        )
        assert removed.status_code == 204
        pushed = await b.expect("participant_removed", conversation_id=cid)
        assert pushed["participant"]["user_id"] == ben["user"]["id"]
        await send(client, ana, cid, "Ben is gone")
        assert await b.silent("message_new")

        other = await group(client, ana, ben, title="Other")
        await b.expect("conversation_joined", conversation_id=other["id"])
        deleted = await client.delete(f"{API}/conversations/{other['id']}", headers=ana["headers"])
        assert deleted.status_code == 204
        pushed = await b.expect("conversation_updated", conversation_id=other["id"])
        assert pushed["conversation"]["is_deleted"] is True


@pytest.mark.parametrize("how", ["path", "header", "first_message", "nothing"])
async def test_sockets_without_a_valid_token_are_closed(live, how):
    options: dict = {}
    path = "/api/v1/ws"
    if how == "path":
        path += "/not-a-token"
    elif how == "header":
        options["additional_headers"] = {"Authorization": "Bearer not-a-token"}
    async with Socket.open(live, path, **options) as socket:
        if how == "first_message":
            await socket.send({"type": "auth", "token": "not-a-token"})
        elif how == "nothing":
            await socket.send({"type": "ping"})
        error = await socket.expect("error")
        assert error["error"] == "Unauthorized"
        with pytest.raises(ConnectionClosed) as closed:
            await socket.next()
        assert closed.value.rcvd.code == 4401
