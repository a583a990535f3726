"""/classes and the progress data isolation they allow: a teacher creates a class, invites
a learner by email, the learner joins, and the teacher (or an admin, but no other teacher or
learner) reads that learner's progress; and the time zone setting."""

import pytest

from deployments.wiring import Container
from domain.identity.roles import grant_role
from ports.identity import Role
from tests.support.api import assert_error, sign_up

pytestmark = pytest.mark.asyncio


async def with_role(client, container: Container, role: Role) -> dict:
    """A new account with `role`, signed in again so that the token carries it."""
    account = await sign_up(client)
    await grant_role(account["user"]["email"], role, container.unit_of_work())
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": account["refresh_token"]}
    )
    account["headers"] = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    return account


async def test_a_teacher_reads_the_progress_of_a_learner_who_joined(client, container):
    tess = await with_role(client, container, Role.TEACHER)
    tom = await with_role(client, container, Role.TEACHER)
    admin = await with_role(client, container, Role.ADMIN)
    ana, ben = await sign_up(client), await sign_up(client)
    await client.post("/api/v1/progress/initialize-progress", headers=ana["headers"], json={})
    created = await client.post("/api/v1/classes", headers=tess["headers"], json={"name": "A1"})
    assert created.status_code == 201, created.text
    class_id = created.json()["id"]
    progress = f"/api/v1/progress/user-progress/{ana['user']['id']}"
    assert_error(await client.get(progress, headers=tess["headers"]), 403, "Forbidden")

    invited = await client.post(
        f"/api/v1/classes/{class_id}/invitations",
        headers=tess["headers"],
        json={"email": ana["user"]["email"].upper()},
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["email"] == ana["user"]["email"] and invited.json()["user_id"] is None
    joined = await client.post(f"/api/v1/classes/{class_id}/join", headers=ana["headers"])
    assert joined.status_code == 200 and joined.json()["user_id"] == ana["user"]["id"]
    uninvited = await client.post(f"/api/v1/classes/{class_id}/join", headers=ben["headers"])
    assert_error(uninvited, 404, "NotFound")

    for reader in (tess, admin):
        read = await client.get(progress, headers=reader["headers"])
        assert read.status_code == 200 and read.json()["user_id"] == ana["user"]["id"]
    full = await client.post(
        "/api/v1/progress/comprehensive-progress",
        headers=tess["headers"],
        json={"user_id": ana["user"]["id"]},
    )
    assert full.status_code == 200, full.text
    for reader in (tom, ben):
        assert_error(await client.get(progress, headers=reader["headers"]), 403, "Forbidden")

    detail = await client.get(f"/api/v1/classes/{class_id}", headers=tess["headers"])
    assert [m["user_id"] for m in detail.json()["members"]] == [ana["user"]["id"]]
    assert_error(
        await client.get(f"/api/v1/classes/{class_id}", headers=tom["headers"]), 404, "NotFound"
    )
    mine = await client.get("/api/v1/classes", headers=ana["headers"])
    assert [c["id"] for c in mine.json()["classes"]] == [class_id]
    assert (await client.get("/api/v1/classes", headers=tom["headers"])).json()["classes"] == []
    everyone = await client.get("/api/v1/classes?limit=100", headers=admin["headers"])
    assert class_id in [c["id"] for c in everyone.json()["classes"]]


async def test_bad_class_requests(client, container):
    tess = await with_role(client, container, Role.TEACHER)
    ana = await sign_up(client)
    student = await client.post("/api/v1/classes", headers=ana["headers"], json={"name": "Mine"})
    assert_error(student, 403, "Forbidden")
    blank = await client.post("/api/v1/classes", headers=tess["headers"], json={"name": "  "})
    assert_error(blank, 400, "ValidationError")
    class_id = (
        await client.post("/api/v1/classes", headers=tess["headers"], json={"name": "B1"})
    ).json()["id"]
    invite = f"/api/v1/classes/{class_id}/invitations"
    bad = await client.post(invite, headers=tess["headers"], json={"email": "not-an-email"})
    assert_error(bad, 400, "ValidationError")
    await client.post(invite, headers=tess["headers"], json={"email": "kim@example.com"})
    twice = await client.post(invite, headers=tess["headers"], json={"email": "kim@example.com"})
    assert_error(twice, 409, "Conflict")
    by_student = await client.post(invite, headers=ana["headers"], json={"email": "a@b.io"})
    assert_error(by_student, 404, "NotFound")
    paged = await client.get("/api/v1/classes?page=0", headers=tess["headers"])
    assert_error(paged, 400, "ValidationError")


async def test_the_time_zone_setting_changes(client):
    ana = await sign_up(client)
    path = "/api/v1/progress/time-zone"
    changed = await client.put(path, headers=ana["headers"], json={"time_zone": "Asia/Karachi"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["time_zone"] == "Asia/Karachi"
    moved = await client.put(path, headers=ana["headers"], json={"time_zone": "Europe/London"})
    assert moved.json()["time_zone"] == "Europe/London"
    bad = await client.put(path, headers=ana["headers"], json={"time_zone": "Mars/Olympus"})
    assert_error(bad, 400, "ValidationError")
    read = await client.get(
        f"/api/v1/progress/user-progress/{ana['user']['id']}", headers=ana["headers"]
    )
    assert read.json()["time_zone"] == "Europe/London"
