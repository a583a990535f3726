"""Password reset end to end: the code travels by SMTP to a local server the test starts, a
new password ends every login session, and a used code is refused without writing."""

import re

import pytest

from adapters.mail.smtp import SmtpMailer
from tests.support.api import PASSWORD, assert_error, client_with, new_email, sign_up
from tests.support.mail import smtp_server

pytestmark = pytest.mark.asyncio
RESET = "/api/v1/auth/password-reset"
NEW_PASSWORD = "EvenBetter456"


def code_in(mail) -> str:
    found = re.search(r"Your reset code: (\S+)", mail.get_payload(decode=True).decode())
    assert found, mail
    return found.group(1)


async def log_in(client, email: str, password: str):
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def test_a_reset_code_is_mailed_used_once_and_ends_every_session(container):
    with smtp_server() as (inbox, port):
        mailer = SmtpMailer("127.0.0.1", port, "no-reply@parla.test", security="none")
        async with client_with(container, mailer=mailer) as client:
            email = new_email()
            ana = await sign_up(client, email)
            other = (await log_in(client, email, PASSWORD)).json()

            asked = await client.post(RESET, json={"email": email.upper()})
            unknown = await client.post(RESET, json={"email": new_email()})
            assert asked.status_code == unknown.status_code == 202
            assert asked.json() == unknown.json()
            (mail,) = inbox.messages
            assert mail["To"] == email
            code = code_in(mail)

            done = await client.post(
                f"{RESET}/confirm", json={"token": code, "new_password": NEW_PASSWORD}
            )
            assert done.status_code == 200, done.text

            # Every login session ended: access and refresh tokens of both logins.
            for tokens in (ana, other):
                me = await client.get(
                    "/api/v1/users/me",
                    headers={"Authorization": f"Bearer {tokens['access_token']}"},
                )
                assert_error(me, 401, "Unauthorized")
                refreshed = await client.post(
                    "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
                )
                assert_error(refreshed, 401, "Unauthorized")
            assert_error(await log_in(client, email, PASSWORD), 401, "Unauthorized")
            assert (await log_in(client, email, NEW_PASSWORD)).status_code == 200

            # A used code is refused and changes nothing.
            again = await client.post(
                f"{RESET}/confirm", json={"token": code, "new_password": "Another789x"}
            )
            assert assert_error(again, 400, "ValidationError")["details"] == {"field": "token"}
            assert_error(await log_in(client, email, "Another789x"), 401, "Unauthorized")
            assert (await log_in(client, email, NEW_PASSWORD)).status_code == 200


async def test_a_reset_needs_an_address_a_code_and_a_strong_password(client):
    assert_error(await client.post(RESET, json={"email": "not-an-address"}), 400, "ValidationError")
    weak = await client.post(f"{RESET}/confirm", json={"token": "x", "new_password": "short"})
    assert_error(weak, 400, "ValidationError")
    unknown = await client.post(
        f"{RESET}/confirm", json={"token": "no-such-code", "new_password": NEW_PASSWORD}
    )
    assert assert_error(unknown, 400, "ValidationError")["details"] == {"field": "token"}
