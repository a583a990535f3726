"""The admin panel at /admin (SQLAdmin): who may sign in, what its pages answer, and the
audit entries of its writes. The browser test (tests/serve/test_admin_panel.py) edits a tag
through the panel's form in Chromium."""

import re
import uuid

import pytest

from adapters.http.middleware import PANEL_POLICY
from tests.api.test_admin_tags import admin_headers
from tests.support.api import PASSWORD, sign_up

pytestmark = pytest.mark.asyncio


async def panel_login(client, email: str, password: str = PASSWORD):
    return await client.post("/admin/login", data={"username": email, "password": password})


async def test_only_an_admins_credentials_open_the_panel(client, container):
    learner = await sign_up(client)
    entry = await client.get("/admin/")
    assert entry.status_code == 302 and entry.headers["location"].endswith("/admin/login")
    assert (await panel_login(client, learner["user"]["email"])).status_code == 400
    assert (await client.get("/admin/tag/list")).status_code == 302

    headers = await admin_headers(client, container)
    me = (await client.get("/api/v1/users/me", headers=headers)).json()
    assert (await panel_login(client, me["email"], "wrong password")).status_code == 400
    signed_in = await panel_login(client, me["email"])
    assert signed_in.status_code == 302 and signed_in.headers["location"].endswith("/admin/")
    for page in (
        "/admin/",
        "/admin/speech/list",
        "/admin/tag/list",
        "/admin/user/list",
        "/admin/game-session/list",
    ):
        response = await client.get(page)
        assert response.status_code == 200, page
        assert response.headers["content-security-policy"] == PANEL_POLICY
    users = await client.get("/admin/user/list")
    assert "argon2" not in users.text
    # The API keeps its own /api/v1/admin routes and policy.
    api = await client.get("/api/v1/admin/tags", headers=headers)
    assert api.status_code == 200 and api.headers["content-security-policy"].startswith(
        "default-src 'none'"
    )
    await client.get("/admin/logout")
    assert (await client.get("/admin/tag/list")).status_code == 302


async def test_the_panels_writes_are_audited(client, container):
    headers = await admin_headers(client, container)
    me = (await client.get("/api/v1/users/me", headers=headers)).json()
    await panel_login(client, me["email"])
    name = f"Panel {uuid.uuid4().hex[:8]}"

    created = await client.post("/admin/tag/create", data={"name": name, "save": "Save"})
    assert created.status_code == 302, created.text
    (tag,) = [
        t
        for t in (await client.get("/api/v1/admin/tags", headers=headers)).json()["tags"]
        if t["name"] == name
    ]
    deleted = await client.delete(f"/admin/tag/delete?pks={tag['id']}")
    assert deleted.status_code == 200

    entries = (
        await client.get("/api/v1/admin/audit", params={"entity_id": tag["id"]}, headers=headers)
    ).json()["entries"]
    assert [(e["action"], e["actor_id"]) for e in entries] == [
        ("delete", me["id"]),
        ("create", me["id"]),
    ]
    assert entries[1]["after"]["name"] == name and entries[0]["before"]["name"] == name
    assert re.fullmatch(r"[0-9a-f-]{36}", entries[1]["after"]["id"])
