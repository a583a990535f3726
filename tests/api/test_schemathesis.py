"""Schemathesis against the OpenAPI document: every operation, a bounded number of requests
generated from its schema (and the examples it gives), sent in process to the real app on a
SQLite database of its own, with a learner's token (an admin's on admin routes). Every
answer must be no 5xx, a status code the operation documents, of a documented content type,
and valid against its documented schema.

The app runs on Schemathesis' ASGI transport, whose event loop (a thread of its own) is not
the tests' loop: the composition root is built and started in that loop by the app's
lifespan. The models come from the API tests' container (they keep no loop state)."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation

from adapters.http import openapi
from adapters.http.app import create_app
from adapters.sql.migrate import upgrade_to_head
from deployments.wiring import Container, bootstrap
from domain.identity.authentication import LogIn, Register, log_in, register
from domain.identity.roles import grant_role
from ports.identity import Role
from ports.realtime import RealtimeToken
from tests.support.api import PASSWORD, isolated_settings, new_email
from tests.support.identity_providers import (
    FakeProviders,
    new_signing_key,
    provider_settings,
    start_provider_server,
)

EXAMPLES = 8
"""Generated requests per operation: the whole run stays within about two minutes here."""
MODEL_EXAMPLES = 3
"""For operations that run a model on every request that passes validation (scoring,
recognition, the tutor, synthesis): fewer, each of them costs up to a second of CPU."""
MODEL_OPERATIONS = (
    "score_pronunciation",
    "transcribe",
    "synthesize",
    "synthesize_stream",
    "assess_speaking",
    "take_text_turn",
    "take_audio_turn",
    "start_tutor_session",
    "review_vocabulary_spoken",
    "get_vocabulary_audio",
    "attempt_topic",
    "attempt_topic_by_exercise_name",
    "record_topic_attempt",
    "get_adaptive_learning",
    "assess_with_llm",
    "cross_chapter_synthesis",
    "start_mentor_session",
)
ENDS_THE_CALLERS_SESSION = ("log_out", "delete_me")
"""Operations that end the login session or the account of their caller: each request
gets a learner of its own, so that the shared learner stays signed in."""

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
    }
)


def _settings(max_examples: int) -> hypothesis.settings:
    # Deterministic, so that a run repeats the last; no shrinking, so that a failure costs
    # no extra requests: its report is the first failing request, which is enough to fix it.
    return hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )


class TutorRealtimeTokens:
    """Issues realtime tokens of its own (the OpenAI issuer has its contract test)."""

    provider = "test"

    async def issue(self, *, instructions: str) -> RealtimeToken:
        expires_at = datetime.now(UTC) + timedelta(minutes=1)
        return RealtimeToken(f"ek_{uuid.uuid4().hex}", expires_at, "realtime-test", self.provider)


@dataclass
class Callers:
    app: FastAPI
    learner: str
    admin: str
    admin_operations: set[tuple[str, str]]
    """(METHOD, path template) of the operations that need the admin role."""


@pytest.fixture(scope="module")
def fuzzed(
    container: Container, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[schemathesis.BaseSchema, Callers]]:
    """The schema of the app, and who calls it."""
    # Every provider configured, so that no answer is a 501: social sign-in against local
    # stand-ins of the providers, realtime tokens from an issuer of the test's own.
    key = new_signing_key("k1")
    provider_server = start_provider_server(
        FakeProviders(google_keys=[key.jwk()], apple_keys=[key.jwk()])
    )
    url = f"http://127.0.0.1:{provider_server.server_address[1]}"
    settings = isolated_settings(
        tmp_path_factory.mktemp("schemathesis"),
        **provider_settings(url),
    )
    fuzzed_container = bootstrap(
        settings,
        speech_scorer=container.speech_scorer,
        tutor=container.voice.tutor,
        recognizer=container.voice.recognizer,
        realtime_tokens=TutorRealtimeTokens(),
    )
    tokens: dict[str, str] = {}

    async def start() -> None:
        await upgrade_to_head(settings.resolved_database_url)
        await fuzzed_container.start()
        uow, credentials = fuzzed_container.unit_of_work, fuzzed_container.credentials
        learner = await register(Register(new_email(), PASSWORD, "Learner"), uow(), credentials)
        admin_email = new_email()
        await register(Register(admin_email, PASSWORD, "Admin"), uow(), credentials)
        await grant_role(admin_email, Role.ADMIN, uow())
        admin = await log_in(LogIn(admin_email, PASSWORD), uow(), credentials)
        tokens.update(learner=learner.access_token, admin=admin.access_token)

    app = create_app(
        fuzzed_container.http_services(), on_startup=start, on_shutdown=fuzzed_container.aclose
    )
    admin_operations = {
        (method, route.path_format)
        for route in openapi.api_routes(app)
        if openapi.needs_admin(route)
        for method in route.methods
    }
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
        yield schema, Callers(app, tokens["learner"], tokens["admin"], admin_operations)
    finally:
        asgi.shutdown_lifespans()
        provider_server.shutdown()
        provider_server.server_close()


def _token(operation: APIOperation, callers: Callers) -> str:
    if (operation.method.upper(), operation.path) in callers.admin_operations:
        return callers.admin
    if operation.definition.raw["operationId"] in ENDS_THE_CALLERS_SESSION:
        body = {"email": new_email(), "password": PASSWORD, "name": "Learner"}
        response = asgi.get_client(callers.app).post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        return response.json()["access_token"]
    return callers.learner


def test_every_operation_conforms_to_its_documentation(
    fuzzed: tuple[schemathesis.BaseSchema, Callers], subtests: pytest.Subtests
) -> None:
    schema, callers = fuzzed
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100

    for operation in operations:
        name = operation.definition.raw["operationId"]
        examples = MODEL_EXAMPLES if name in MODEL_OPERATIONS else EXAMPLES

        def conforms(case: schemathesis.Case) -> None:
            headers = {"Authorization": f"Bearer {_token(case.operation, callers)}"}
            case.call_and_validate(headers=headers)

        with subtests.test(msg=operation.label):
            # The examples the document gives, then requests generated from its schemas.
            for example in operation.get_strategies_from_examples():
                _settings(1)(hypothesis.given(case=example)(conforms))()
            _settings(examples)(hypothesis.given(case=operation.as_strategy())(conforms))()
