"""The token codec and the password hasher."""

import time
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


def test_tokens_are_hs256_jwts_naming_their_issuer_and_audience():
    token = JwtTokenCodec(SECRET, issuer="tutor-co", audience="tutor-api").encode(claims())
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    payload = jwt.decode(token, options={"verify_signature": False})
    assert (payload["iss"], payload["aud"]) == ("tutor-co", "tutor-api")


def _signed(payload_changes: dict, key: str = SECRET, algorithm: str = "HS256") -> str:
    """A token this codec would write, with some claims changed (None: left out)."""
    payload = jwt.decode(
        JwtTokenCodec(SECRET).encode(claims()), options={"verify_signature": False}
    )
    payload = {k: v for k, v in (payload | payload_changes).items() if v is not None}
    return jwt.encode(payload, key, algorithm=algorithm)


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
        _signed({}, key=None, algorithm="none"),  # every claim right, unsigned
        _signed({}, key="k" * 64, algorithm="HS512"),
        _signed({"iss": "someone-else"}),
        _signed({"iss": None}),
        _signed({"aud": "another-api"}),
        _signed({"aud": ["parla-api", "another-api"]}),
        _signed({"aud": None}),
        _signed({"iat": "yesterday"}),
        _signed({"role": "superuser"}),
    ],
)
def test_bad_tokens_are_unauthenticated(token):
    with pytest.raises(Unauthenticated):
        JwtTokenCodec(SECRET).decode(token, "access")


def test_a_token_of_another_issuer_or_audience_setting_is_refused():
    token = JwtTokenCodec(SECRET).encode(claims())
    for codec in (JwtTokenCodec(SECRET, issuer="x"), JwtTokenCodec(SECRET, audience="y")):
        with pytest.raises(Unauthenticated):
            codec.decode(token, "access")


def test_a_token_found_valid_is_refused_once_it_expires_and_as_the_other_kind():
    codec = JwtTokenCodec(SECRET)
    token = codec.encode(claims(expires_at=datetime.now(UTC) + timedelta(seconds=1)))
    assert codec.decode(token, "access").role is Role.ADMIN  # kept as valid from here on
    with pytest.raises(Unauthenticated, match="Expected a refresh token"):
        codec.decode(token, "refresh")
    time.sleep(1.1)
    with pytest.raises(Unauthenticated, match="Token has expired"):
        codec.decode(token, "access")


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
