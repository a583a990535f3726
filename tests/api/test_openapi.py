"""The OpenAPI document: readable unique operation ids, each route's real error responses,
a summary and description for every operation, examples for the main bodies."""

import re

import pytest
from fastapi import APIRouter, FastAPI

from adapters.http import openapi

pytestmark = pytest.mark.asyncio
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
async def document(client) -> dict:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def statuses(document: dict, method: str, path: str) -> set[str]:
    return set(operations(document)[(method, f"/api/v1{path}")]["responses"])


async def test_operation_ids_are_unique_readable_names(document):
    ids = [op["operationId"] for op in operations(document).values()]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", operation_id), operation_id
        assert "api_v1" not in operation_id
    by_route = {route: op["operationId"] for route, op in operations(document).items()}
    assert by_route[("POST", "/api/v1/speech/score")] == "score_pronunciation"
    assert by_route[("POST", "/api/v1/auth/login")] == "log_in"


async def test_two_endpoints_of_one_name_are_refused_when_the_app_is_built():
    app = FastAPI(generate_unique_id_function=openapi.operation_id)
    for prefix in ("/a", "/b"):
        router = APIRouter(prefix=prefix)

        @router.get("/items")
        async def list_items() -> list[str]:
            return []

        app.include_router(router)
    with pytest.raises(ValueError, match="list_items"):
        openapi.document(app)


async def test_errors_follow_what_each_route_depends_on(document):
    # A probe with no input, no token, no limit and no database answers nothing else.
    assert statuses(document, "GET", "/health") == {"200"}
    assert statuses(document, "GET", "/ready") == {"200", "503"}
    # Public, rate limited by address, its body validated; a wrong password is a 401.
    assert statuses(document, "POST", "/auth/login") == {"200", "400", "401", "413", "429", "503"}
    # A token, a form body, a recording that may hold no speech.
    assert statuses(document, "POST", "/speech/score") >= {"401", "413", "422", "429"}
    assert "403" not in statuses(document, "POST", "/speech/score")
    # The admin role, and a path naming the tag; deleting a tag in use is a conflict.
    assert statuses(document, "DELETE", "/admin/tags/{tag_id}") == {
        "204",
        "400",
        "401",
        "403",
        "404",
        "409",
        "429",
        "503",
    }
    # FastAPI's 422 for a validation error is never answered: it is a 400 here.
    assert "422" not in statuses(document, "GET", "/learning/vocabulary")


async def test_every_error_response_is_the_one_error_body(document):
    assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == {
        "error",
        "message",
        "detail",
        "details",
        "request_id",
        "timestamp",
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for (method, path), operation in operations(document).items():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
                assert response["description"], (method, path, status)


async def test_a_refused_request_says_when_to_retry(document):
    too_many = operations(document)[("POST", "/api/v1/auth/login")]["responses"]["429"]
    assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
        too_many["headers"]
    )
    assert operations(document)[("POST", "/api/v1/auth/login")]["x-rate-limit"] == "login"


async def test_every_operation_has_a_summary_and_a_description(document):
    for route, operation in operations(document).items():
        assert operation.get("summary"), route
        assert operation.get("description"), route


async def test_the_main_request_bodies_have_examples(document):
    schemas = document["components"]["schemas"]
    for name in ("RegisterRequest", "LoginRequest", "GameSessionIn", "TextTurnIn", "MessageIn"):
        assert schemas[name].get("examples"), name
    score_form = schemas["Body_score_pronunciation"]["properties"]
    assert score_form["reference_text"]["examples"]
