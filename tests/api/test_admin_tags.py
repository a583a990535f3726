"""/admin/tags (004's contract) behind the admin role, and granting that role."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from adapters.sql.migrate import upgrade_to_head
from deployments.wiring import Container, bootstrap
from domain.identity.authentication import Register, register
from domain.identity.roles import grant_role
from ports.identity import Role
from tests.support.api import PASSWORD, assert_error, isolated_settings, sign_up

pytestmark = pytest.mark.asyncio
ROOT = Path(__file__).resolve().parents[2]


async def admin_headers(client, container: Container) -> dict[str, str]:
    learner = await sign_up(client)
    await grant_role(learner["user"]["email"], Role.ADMIN, container.unit_of_work())
    # The role reaches the token at the next refresh.
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": learner["refresh_token"]}
    )
    return {"Authorization": f"Bearer {refreshed.json()['access_token']}"}


async def test_students_are_forbidden(client):
    learner = await sign_up(client)
    assert_error(
        await client.get("/api/v1/admin/tags", headers=learner["headers"]), 403, "Forbidden"
    )
    assert_error(await client.get("/api/v1/admin/tags"), 401, "Unauthorized")


async def test_list_shows_speech_counts(client, container):
    headers = await admin_headers(client, container)
    response = await client.get("/api/v1/admin/tags", headers=headers)
    assert response.status_code == 200
    tags = response.json()["tags"]
    assert set(tags[0]) == {"id", "name", "category", "speech_count", "created_at"}
    assert sum(t["speech_count"] for t in tags) > 0


async def test_create_update_delete(client, container):
    headers = await admin_headers(client, container)
    name = f"Idioms {uuid.uuid4().hex[:6]}"
    created = await client.post(
        "/api/v1/admin/tags", json={"name": name, "category": "topic"}, headers=headers
    )
    assert created.status_code == 201, created.text
    tag = created.json()
    assert tag["speech_count"] == 0 and tag["category"] == "topic"
    assert_error(
        await client.post("/api/v1/admin/tags", json={"name": name}, headers=headers),
        409,
        "Conflict",
    )
    renamed = await client.put(
        f"/api/v1/admin/tags/{tag['id']}", json={"name": name + " 2"}, headers=headers
    )
    assert renamed.json()["name"] == name + " 2" and renamed.json()["category"] == "topic"
    cleared = await client.put(
        f"/api/v1/admin/tags/{tag['id']}", json={"category": None}, headers=headers
    )
    assert cleared.json()["category"] is None
    public = (await client.get("/api/v1/tags")).json()["tags"]
    assert name + " 2" in {t["name"] for t in public}
    deleted = await client.delete(f"/api/v1/admin/tags/{tag['id']}", headers=headers)
    assert deleted.status_code == 204
    assert_error(
        await client.delete(f"/api/v1/admin/tags/{tag['id']}", headers=headers), 404, "NotFound"
    )


async def test_a_tag_in_use_cannot_be_deleted_or_renamed_onto_another(client, container):
    headers = await admin_headers(client, container)
    tags = (await client.get("/api/v1/admin/tags", headers=headers)).json()["tags"]
    used = next(t for t in tags if t["speech_count"])
    body = assert_error(
        await client.delete(f"/api/v1/admin/tags/{used['id']}", headers=headers), 409, "Conflict"
    )
    assert body["details"]["speech_count"] == used["speech_count"]
    other = next(t for t in tags if t["id"] != used["id"])
    clash = await client.put(
        f"/api/v1/admin/tags/{used['id']}", json={"name": other["name"]}, headers=headers
    )
    assert_error(clash, 409, "Conflict")


@pytest.mark.parametrize("body", [{"name": ""}, {"name": "x" * 101}, {"category": " "}, {}])
async def test_bad_tags_are_400(client, container, body):
    headers = await admin_headers(client, container)
    assert_error(
        await client.post("/api/v1/admin/tags", json=body, headers=headers), 400, "ValidationError"
    )


async def test_grant_role_command(tmp_path):
    settings = isolated_settings(tmp_path)
    await upgrade_to_head(settings.resolved_database_url)
    container = bootstrap(settings)
    await register(
        Register("teacher@example.com", PASSWORD, "Teacher"),
        container.unit_of_work(),
        container.credentials,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["VAR_DIR"] = str(tmp_path)

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "deployments.manage", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    granted = manage("grant-role", "Teacher@Example.com", "teacher")
    assert granted.returncode == 0, granted.stderr
    assert "teacher@example.com is now teacher" in granted.stdout
    async with container.unit_of_work() as uow:
        user = await uow.users.get_by_email("teacher@example.com")
    assert user is not None and user.role is Role.TEACHER
    unknown = manage("grant-role", "nobody@example.com", "admin")
    assert unknown.returncode == 1 and "No account" in unknown.stderr
    assert manage("grant-role", "teacher@example.com", "superuser").returncode == 2
    await container.aclose()
