"""Uploaded files are served as the type their content check established, under headers that
keep a browser from running them on the API's origin; every response carries the usual
security headers."""

import pytest

from tests.support.api import BASE_URL, sign_up

pytestmark = pytest.mark.asyncio

API = "/api/v1"
SCRIPT = b"<script>alert(document.domain)</script>"


async def upload(client, file: tuple[str, bytes, str]) -> dict:
    ana, ben = await sign_up(client), await sign_up(client)
    conversation = await client.post(
        f"{API}/conversations",
        json={"type": "direct", "participant_ids": [ben["user"]["id"]]},
        headers=ana["headers"],
    )
    uploaded = await client.post(
        f"{API}/conversations/{conversation.json()['id']}/upload",
        files={"file": file},
        headers=ana["headers"],
    )
    assert uploaded.status_code == 201, uploaded.text
    return uploaded.json()["file"]


@pytest.mark.parametrize("name", ["evil.html", "evil.svg", "evil.xhtml", "evil.htm"])
async def test_a_script_declared_as_text_is_served_as_text_to_download(client, name):
    file = await upload(client, (name, SCRIPT, "text/plain"))
    served = await client.get(file["url"].removeprefix(BASE_URL))
    assert served.status_code == 200 and served.content == SCRIPT
    assert served.headers["content-type"].split(";")[0] == "text/plain"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"] == f"attachment; filename*=UTF-8''{name}"
    policy = served.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy


async def test_images_show_inline_as_their_checked_type(client):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    file = await upload(client, ("photo.html", png, "image/png"))
    served = await client.get(file["url"].removeprefix(BASE_URL))
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"].startswith("inline;")
    assert served.headers["x-content-type-options"] == "nosniff"


async def test_every_response_carries_the_security_headers(client):
    for response in (
        await client.get(f"{API}/health"),
        await client.get(f"{API}/users/me"),  # an error body too
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


async def test_the_docs_page_may_load_what_it_needs(client):
    docs = await client.get("/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    # Swagger UI comes from jsDelivr and starts with an inline script.
    assert "https://cdn.jsdelivr.net/npm/swagger-ui-dist" in docs.text and "<script>" in docs.text
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "https://cdn.jsdelivr.net" in script_src and "'unsafe-inline'" in script_src
