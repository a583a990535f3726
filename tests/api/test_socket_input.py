"""Whatever a client sends, a socket answers with a validation error and keeps working, or
closes with a code; it never goes silent. Text with a lone surrogate is invalid input over
REST too (400), not a provider failure."""

import asyncio
import json

import pytest
from fastapi import FastAPI, WebSocket
from websockets.exceptions import ConnectionClosed

from adapters.http.socket_fanout import Connection
from tests.support.api import assert_error, sign_up
from tests.support.sockets import Socket, served

WS = "/api/v1/ws"
LONE_SURROGATE = '{"type":"\\ud800"}'  # the JSON text, escape and all
DEEP = '{"type":"ping","x":' + "[" * 1900 + "]" * 1900 + "}"


async def rejected(ws: Socket, frame: str) -> dict:
    await ws.connection.send(frame)
    error = await ws.expect("error")
    assert error["error"] == "ValidationError", error
    return error


async def test_the_messaging_socket_answers_bad_frames_and_keeps_working(client, live):
    token = (await sign_up(client))["access_token"]
    async with Socket.open(live, f"{WS}/{token}") as ws:
        await ws.expect("connection_established")
        for frame in (LONE_SURROGATE, DEEP, '{"type":"typing_start","conversation_id":"\\udfff"}'):
            await rejected(ws, frame)
            await ws.send({"type": "ping"})
            await ws.expect("pong")


@pytest.mark.parametrize("path, first", [("english-only", "greeting"), ("learn", "ready")])
async def test_voice_sockets_answer_bad_frames_and_keep_working(client, live, path, first):
    token = (await sign_up(client))["access_token"]
    async with Socket.open(live, f"{WS}/{path}?token={token}") as ws:
        await ws.expect(first, 60)
        for frame in (LONE_SURROGATE, DEEP, '{"type":"text","text":"I like \\ud83d tea"}'):
            assert (await rejected(ws, frame))["request"] is None
        await ws.send({"type": "dance"})
        assert (await ws.expect("error"))["request"] == "dance"


async def test_rest_text_with_a_lone_surrogate_is_400_and_pairs_are_text(client):
    ana, ben = await sign_up(client), await sign_up(client)
    headers = {**ana["headers"], "content-type": "application/json"}
    direct = await client.post(
        "/api/v1/conversations",
        json={"type": "direct", "participant_ids": [ben["user"]["id"]]},
        headers=headers,
    )
    messages = f"/api/v1/conversations/{direct.json()['id']}/messages"
    # Free-form JSON too: stored, this made every later read of the history fail.
    bad = '{"content": "hi", "metadata": {"note": "\\ud800"}}'
    assert_error(await client.post(messages, content=bad, headers=headers), 400, "ValidationError")
    session = await client.post("/api/v1/conversations/sessions", json={}, headers=headers)
    turn = f"/api/v1/conversations/sessions/{session.json()['id']}/text"
    refused = await client.post(turn, content='{"text": "I like \\ud83d tea"}', headers=headers)
    assert_error(refused, 400, "ValidationError")
    # An emoji written as a surrogate pair, and a backslash before "ud800", are text.
    for text in ('"tea \\ud83d\\ude00"', '"C:\\\\ud800"'):
        sent = await client.post(
            messages,
            content=f'{{"content": "hi", "metadata": {{"note": {text}}}}}',
            headers=headers,
        )
        assert sent.status_code == 201, sent.text
        assert sent.json()["metadata"] == {"note": json.loads(text)}
    assert (await client.get(messages, headers=headers)).status_code == 200


async def test_a_push_that_cannot_be_sent_closes_the_socket_with_a_code():
    app = FastAPI()

    @app.websocket("/push")
    async def push(websocket: WebSocket) -> None:
        await websocket.accept()
        connection = Connection(websocket, user_id=None)  # type: ignore[arg-type]
        connection.push({"type": "unsendable", "text": "\ud800"})
        connection.push({"type": "after"})
        await asyncio.sleep(2)
        await connection.close()

    async with served(app) as base_url, Socket.open(base_url, "/push") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await ws.next(seconds=1)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
