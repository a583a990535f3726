"""The token codec and the password hasher."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest

from adapters.identity.argon2_passwords import Argon2PasswordHasher
from adapters.identity.jwt_tokens import JwtTokenCodec
from domain.errors import Unauthenticated
from ports.identity import Role, TokenClaims

SECRET = "s" * 40


def claims(**changes) -> TokenClaims:
    now = datetime.now(UTC).replace(microsecond=0)
    base = TokenClaims(
        "access", uuid4(), uuid4(), Role.ADMIN, "jti-1", now, now + timedelta(hours=1)
    )
    return replace(base, **changes)


def test_round_trip():
    original = claims()
    assert (
        JwtTokenCodec(SECRET).decode(JwtTokenCodec(SECRET).encode(original), "access") == original
    )


def test_tokens_are_hs256_jwts():
    token = JwtTokenCodec(SECRET).encode(claims())
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        JwtTokenCodec("t" * 40).encode(claims()),
        JwtTokenCodec(SECRET).encode(claims(expires_at=datetime.now(UTC) - timedelta(seconds=5))),
        JwtTokenCodec(SECRET).encode(claims(kind="refresh")),
        jwt.encode({"sub": "x"}, SECRET, algorithm="HS256"),
        jwt.encode({"alg": "none"}, None, algorithm="none"),
    ],
)
def test_bad_tokens_are_unauthenticated(token):
    with pytest.raises(Unauthenticated):
        JwtTokenCodec(SECRET).decode(token, "access")


def test_short_secrets_are_refused():
    with pytest.raises(ValueError):
        JwtTokenCodec("short")


async def test_password_hashes_verify_only_their_password():
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost=8192)
    password_hash = await hasher.hash("SecurePass123")
    assert password_hash.startswith("$argon2id$")
    assert password_hash != await hasher.hash("SecurePass123")
    assert await hasher.verify(password_hash, "SecurePass123")
    assert not await hasher.verify(password_hash, "SecurePass124")
    assert not await hasher.verify(None, "SecurePass123")
    assert not await hasher.verify("not a hash", "SecurePass123")
