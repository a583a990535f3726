"""A file goes with what owns it: its message, its conversation or its sender's account.
Links already issued for it serve 404 and nothing is left on disk."""

from urllib.parse import unquote, urlsplit

import pytest

from adapters.blobs.local import BLOB_ROUTE
from tests.support.api import BASE_URL, assert_error, sign_up

pytestmark = pytest.mark.asyncio

API = "/api/v1"


async def group(client, owner, *members) -> str:
    response = await client.post(
        f"{API}/conversations",
        json={"type": "group", "participant_ids": [m["user"]["id"] for m in members]},
        headers=owner["headers"],
    )
    return response.json()["id"]


async def upload(client, sender, conversation_id: str, name: str = "notes.txt") -> dict:
    response = await client.post(
        f"{API}/conversations/{conversation_id}/upload",
        files={"file": (name, b"my notes", "text/plain")},
        headers=sender["headers"],
    )
    assert response.status_code == 201, response.text
    return response.json()


async def served(client, message: dict) -> int:
    return (await client.get(message["file"]["url"].removeprefix(BASE_URL))).status_code


def on_disk(container, message: dict) -> bool:
    key = unquote(urlsplit(message["file"]["url"]).path).removeprefix(BLOB_ROUTE + "/")
    directory = container.settings.resolved_blob_dir.joinpath(*key.split("/")[:-1])
    return directory.exists()


async def test_a_deleted_file_message_takes_its_file(client, container):
    ana, ben = await sign_up(client), await sign_up(client)
    message = await upload(client, ana, await group(client, ana, ben))
    assert await served(client, message) == 200 and on_disk(container, message)
    deleted = await client.delete(f"{API}/messages/{message['id']}", headers=ana["headers"])
    assert deleted.status_code == 204
    assert_error(await client.get(message["file"]["url"].removeprefix(BASE_URL)), 404, "NotFound")
    assert not on_disk(container, message)


async def test_a_deleted_conversation_takes_its_files(client, container):
    ana, ben = await sign_up(client), await sign_up(client)
    conversation_id = await group(client, ana, ben)
    sent = [await upload(client, ana, conversation_id), await upload(client, ben, conversation_id)]
    other = await upload(client, ana, await group(client, ana, ben))
    deleted = await client.delete(f"{API}/conversations/{conversation_id}", headers=ana["headers"])
    assert deleted.status_code == 204
    for message in sent:
        assert await served(client, message) == 404 and not on_disk(container, message)
    assert await served(client, other) == 200


async def test_a_deleted_account_takes_its_uploads_and_others_see_them_deleted(client, container):
    ana, ben = await sign_up(client), await sign_up(client)
    conversation_id = await group(client, ana, ben)
    anas = await upload(client, ana, conversation_id)
    bens = await upload(client, ben, conversation_id)
    assert (await client.delete(f"{API}/users/me", headers=ana["headers"])).status_code == 204
    assert await served(client, anas) == 404 and not on_disk(container, anas)
    assert await served(client, bens) == 200
    history = await client.get(
        f"{API}/conversations/{conversation_id}/messages", headers=ben["headers"]
    )
    by_id = {m["id"]: m for m in history.json()["messages"]}
    assert by_id[anas["id"]]["is_deleted"] and by_id[anas["id"]]["file"] is None
    assert by_id[bens["id"]]["file"]["url"]
