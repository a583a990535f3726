"""Account rules and the login-session token rules."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import InvalidInput, Unauthenticated
from domain.identity.rules import (
    check_password_strength,
    clean_avatar_url,
    clean_name,
    normalize_email,
)
from domain.identity.tokens import (
    TokenPolicy,
    end_session,
    open_session,
    rotate_refresh_token,
    successor_token_id,
    token_pair,
)
from ports.identity import AuthProvider, Role, User

NOW = datetime(2025, 12, 10, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "clean"), [("User@Example.COM", "user@example.com"), (" a.b+c@d.io ", "a.b+c@d.io")]
)
def test_emails_are_trimmed_and_lower_cased(raw, clean):
    assert normalize_email(raw) == clean


@pytest.mark.parametrize(
    "email", ["", "plain", "a@b", "a b@c.d", "@c.d", "a@@c.d", "x" * 251 + "@a.io"]
)
def test_invalid_emails(email):
    with pytest.raises(InvalidInput):
        normalize_email(email)


@pytest.mark.parametrize("password", ["SecurePass123", "abcdefg1", "ünïcödé1"])
def test_strong_enough_passwords(password):
    check_password_strength(password)


@pytest.mark.parametrize("password", ["Short1", "onlyletters", "1234567890", "x1" * 65])
def test_weak_passwords(password):
    with pytest.raises(InvalidInput):
        check_password_strength(password)


def test_names_collapse_whitespace_and_must_not_be_empty():
    assert clean_name("  Nguyen   Van  A ") == "Nguyen Van A"
    with pytest.raises(InvalidInput):
        clean_name(" \t ")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x/y", "https://", "/relative.png"])
def test_avatar_urls_must_be_http(url):
    with pytest.raises(InvalidInput):
        clean_avatar_url(url)


def user() -> User:
    return User(uuid4(), "a@b.io", "A", None, AuthProvider.EMAIL, None, "h", Role.TEACHER, NOW, NOW)


def test_a_token_pair_carries_role_session_and_lifetimes():
    policy = TokenPolicy(access_ttl=timedelta(minutes=60), refresh_ttl=timedelta(days=7))
    learner = user()
    session = open_session(learner, policy, NOW)
    pair = token_pair(learner, session, policy, NOW)
    assert pair.access.kind == "access" and pair.refresh.kind == "refresh"
    assert pair.access.role is Role.TEACHER
    assert pair.access.session_id == pair.refresh.session_id == session.id
    assert pair.access.expires_at == NOW + timedelta(minutes=60)
    assert pair.refresh.expires_at == NOW + timedelta(days=7)
    assert pair.refresh.token_id == session.refresh_token_id != pair.access.token_id


def _refresh_claims(session, token_id):
    return token_pair(user(), session, TokenPolicy(), NOW, token_id).refresh


def test_a_client_that_keeps_its_first_refresh_token_keeps_its_session():
    policy = TokenPolicy()
    session = open_session(user(), policy, NOW)
    first = token_pair(user(), session, policy, NOW).refresh
    handed_out = {rotate_refresh_token(session, first, NOW) for _ in range(3)}
    assert handed_out == {successor_token_id(first.token_id)}
    assert session.refresh_token_id == first.token_id
    assert session.revoked_at is None


def test_taking_the_successor_spends_the_token_before_it():
    policy = TokenPolicy()
    session = open_session(user(), policy, NOW)
    first = token_pair(user(), session, policy, NOW).refresh
    successor = _refresh_claims(session, rotate_refresh_token(session, first, NOW))
    next_one = rotate_refresh_token(session, successor, NOW)
    assert session.refresh_token_id == successor.token_id
    assert next_one == successor_token_id(successor.token_id) != first.token_id
    assert session.revoked_at is None


def test_replaying_a_spent_refresh_token_revokes_the_session():
    policy = TokenPolicy()
    session = open_session(user(), policy, NOW)
    spent = token_pair(user(), session, policy, NOW).refresh
    rotate_refresh_token(session, _refresh_claims(session, successor_token_id(spent.token_id)), NOW)
    with pytest.raises(Unauthenticated):
        rotate_refresh_token(session, spent, NOW)
    assert session.revoked_at == NOW


def test_an_unknown_refresh_token_revokes_the_session():
    session = open_session(user(), TokenPolicy(), NOW)
    with pytest.raises(Unauthenticated):
        rotate_refresh_token(session, _refresh_claims(session, "f" * 32), NOW)
    assert session.revoked_at == NOW


@pytest.mark.parametrize("when", ["revoked", "expired"])
def test_ended_sessions_cannot_refresh(when):
    policy = TokenPolicy()
    session = open_session(user(), policy, NOW)
    presented = token_pair(user(), session, policy, NOW).refresh
    later = NOW + timedelta(minutes=1)
    if when == "revoked":
        end_session(session, NOW)
    else:
        later = NOW + policy.refresh_ttl
    with pytest.raises(Unauthenticated):
        rotate_refresh_token(session, presented, later)
