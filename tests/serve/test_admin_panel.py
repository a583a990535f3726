"""The admin panel at /admin in headless Chromium (Debian's build, driven by Playwright),
through `make run`'s Ray Serve: an admin signs in with the account's email and password,
renames a tag in the panel's form, and the API lists the new name and the audit log shows
the panel's edit by that admin, with the name before and after."""

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.api import PASSWORD
from tests.support.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def admin(server: str, launch_env: dict[str, str]) -> dict[str, str]:
    """A new account made admin by the operator command, and its API headers."""
    email = f"panel-{uuid.uuid4().hex[:12]}@example.com"
    registered = httpx.post(
        f"{server}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Panel Admin"},
    )
    assert registered.status_code == 201, registered.text
    subprocess.run(
        [sys.executable, "-m", "deployments.manage", "grant-role", email, "admin"],
        cwd=ROOT,
        env=launch_env,
        check=True,
        capture_output=True,
    )
    login = httpx.post(
        f"{server}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    ).json()
    return {
        "email": email,
        "user_id": login["user"]["id"],
        "Authorization": f"Bearer {login['access_token']}",
    }


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    if not CHROMIUM.exists():
        unavailable(f"No Chromium at {CHROMIUM}: `make test` installs Debian's package")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def test_an_admin_renames_a_tag_in_the_panel(server: str, admin: dict[str, str], page: Page):
    headers = {"Authorization": admin["Authorization"]}
    name = f"Panel {uuid.uuid4().hex[:8]}"
    created = httpx.post(f"{server}/api/v1/admin/tags", json={"name": name}, headers=headers)
    assert created.status_code == 201, created.text
    tag_id = created.json()["id"]

    page.goto(f"{server}/admin/")
    expect(page).to_have_url(f"{server}/admin/login")
    page.locator("input[name=username]").fill(admin["email"])
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    expect(page).to_have_url(f"{server}/admin/")

    page.goto(f"{server}/admin/tag/list?search={name}")
    page.locator(f"a[href*='/admin/tag/edit/{tag_id}']").click()
    page.locator("input[name=name]").fill(f"{name} renamed")
    page.locator("input[name=category]").fill("topic")
    page.locator("input[type=submit][value=Save]").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(server)}/admin/tag/list(\?.*)?$"))
    expect(page.get_by_text(f"{name} renamed")).to_be_visible()

    tags = httpx.get(f"{server}/api/v1/admin/tags", headers=headers).json()["tags"]
    assert {"name": f"{name} renamed", "category": "topic"}.items() <= next(
        t for t in tags if t["id"] == tag_id
    ).items()
    audit = httpx.get(
        f"{server}/api/v1/admin/audit",
        params={"entity_id": tag_id, "action": "update"},
        headers=headers,
    ).json()["entries"]
    assert len(audit) == 1
    (edit,) = audit
    assert edit["actor_id"] == admin["user_id"] and edit["entity"] == "tag"
    assert (edit["before"]["name"], edit["after"]["name"]) == (name, f"{name} renamed")
    assert (edit["before"]["category"], edit["after"]["category"]) == (None, "topic")


def test_a_student_cannot_sign_in_to_the_panel(server: str):
    email = f"student-{uuid.uuid4().hex[:12]}@example.com"
    httpx.post(
        f"{server}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Student"},
    )
    refused = httpx.post(f"{server}/admin/login", data={"username": email, "password": PASSWORD})
    assert refused.status_code == 400
    assert httpx.get(f"{server}/admin/tag/list").status_code == 302
