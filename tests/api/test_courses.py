"""003's courses over HTTP: status codes and bodies of the catalogue, navigation ends,
quizzes without their answers, grading, progress, streaks, search, subscriptions and
premium gating."""

import asyncio

import pytest

from tests.api.test_admin_tags import admin_headers
from tests.support.api import assert_error, sign_up
from tests.support.courses import add_corpus

API = "/api/v1"
ALL_RIGHT = {f"q{n}": 1 for n in range(1, 11)}


@pytest.fixture(scope="session")
async def corpus(container):
    await add_corpus(container.unit_of_work)


@pytest.fixture
async def learner(client, corpus):
    return await sign_up(client)


async def test_the_catalogue_is_open_and_chapters_lead_to_each_other(client, corpus):
    courses = (await client.get(f"{API}/courses")).json()
    by_id = {c["id"]: c for c in courses}
    assert by_id["sounds"]["chapter_count"] == 3 and by_id["business"]["premium"] is True
    assert (await client.get(f"{API}/courses/grammar")).json()["title"] == "Grammar essentials"
    assert_error(await client.get(f"{API}/courses/nowhere"), 404, "NotFound")
    chapters = (await client.get(f"{API}/courses/sounds/chapters")).json()
    assert [(c["id"], c["order"]) for c in chapters] == [
        ("sounds-1", 1),
        ("sounds-2", 2),
        ("sounds-3", 3),
    ]
    first = (await client.get(f"{API}/chapters/sounds-1")).json()
    assert (first["prev_chapter_id"], first["next_chapter_id"]) == (None, "sounds-2")
    following = await client.get(f"{API}/chapters/sounds-1/next")
    assert following.json()["id"] == "sounds-2"
    back = await client.get(f"{API}/chapters/sounds-2/previous")
    assert back.json()["id"] == "sounds-1"
    assert_error(await client.get(f"{API}/chapters/sounds-1/previous"), 404, "NotFound")
    assert_error(await client.get(f"{API}/chapters/sounds-3/next"), 404, "NotFound")
    assert_error(await client.get(f"{API}/chapters/NOT%20A%20SLUG"), 400, "ValidationError")


async def test_a_fetched_quiz_never_holds_its_answers(client, learner):
    response = await client.get(f"{API}/quizzes/sounds-1-quiz")
    assert response.status_code == 200
    quiz = response.json()
    assert set(quiz["questions"][0]) == {"id", "prompt", "choices"}
    assert "answer" not in response.text and "explanation" not in response.text
    user = learner["user"]["id"]
    listed = await client.get(
        f"{API}/quizzes/user/{user}/course/sounds", headers=learner["headers"]
    )
    assert listed.status_code == 200 and len(listed.json()) == 3
    assert "answer" not in listed.text


async def test_submissions_are_graded_on_the_server_and_kept(client, learner):
    seven = {f"q{n}": 1 if n <= 7 else 2 for n in range(1, 11)}
    body = {"quiz_id": "sounds-2-quiz", "answers": seven}
    result = await client.post(f"{API}/quizzes/submit", json=body, headers=learner["headers"])
    assert result.status_code == 200, result.text
    graded = result.json()
    assert (graded["score"], graded["passed"], graded["correct_count"]) == (0.7, True, 7)
    assert graded["results"][9] == {
        "question_id": "q10",
        "given": 2,
        "correct": False,
        "correct_choice": 1,
        "explanation": "Because.",
    }
    six = {**seven, "q7": 0}
    body = {"quiz_id": "sounds-2-quiz", "answers": six}
    failed = await client.post(f"{API}/quizzes/submit", json=body, headers=learner["headers"])
    assert (failed.json()["score"], failed.json()["passed"]) == (0.6, False)
    user = learner["user"]["id"]
    attempts = await client.get(
        f"{API}/quizzes/attempts/{user}/sounds-2-quiz", headers=learner["headers"]
    )
    assert [a["score"] for a in attempts.json()] == [0.6, 0.7]


@pytest.mark.parametrize(
    "body",
    [
        {"quiz_id": "sounds-1-quiz", "answers": {"q1": 9}},
        {"quiz_id": "sounds-1-quiz", "answers": {"q99": 1}},
        {"quiz_id": "sounds-1-quiz", "answers": {"q1": "1"}},
        {"quiz_id": "sounds-1-quiz", "answers": {"q1": -1}},
        {"quiz_id": "sounds-1-quiz"},
    ],
)
async def test_malformed_submissions_are_400_and_kept_nowhere(client, learner, body):
    response = await client.post(f"{API}/quizzes/submit", json=body, headers=learner["headers"])
    assert_error(response, 400, "ValidationError")
    user = learner["user"]["id"]
    attempts = await client.get(
        f"{API}/quizzes/attempts/{user}/sounds-1-quiz", headers=learner["headers"]
    )
    assert attempts.json() == []


async def test_submitting_needs_a_signed_in_user_and_a_quiz(client, learner):
    body = {"quiz_id": "sounds-1-quiz", "answers": ALL_RIGHT}
    assert_error(await client.post(f"{API}/quizzes/submit", json=body), 401, "Unauthorized")
    body = {"quiz_id": "nowhere", "answers": ALL_RIGHT}
    response = await client.post(f"{API}/quizzes/submit", json=body, headers=learner["headers"])
    assert_error(response, 404, "NotFound")


async def test_records_are_the_callers_own(client, learner):
    other = await sign_up(client)
    user = learner["user"]["id"]
    headers = other["headers"]
    for response in (
        await client.get(f"{API}/quizzes/attempts/{user}/sounds-1-quiz", headers=headers),
        await client.get(f"{API}/quizzes/user/{user}/course/sounds", headers=headers),
        await client.post(
            f"{API}/progress/{user}/courses/sounds/chapters/sounds-1", headers=headers
        ),
        await client.get(f"{API}/progress/{user}/courses/sounds", headers=headers),
        await client.get(f"{API}/progress/{user}/courses", headers=headers),
        await client.put(f"{API}/progress/{user}/streak/reset", headers=headers),
        await client.get(f"{API}/subscriptions/{user}", headers=headers),
    ):
        assert_error(response, 403, "Forbidden")
    assert_error(await client.get(f"{API}/progress/{user}/courses"), 401, "Unauthorized")


async def test_completing_chapters_moves_progress_and_the_streak(client, learner):
    user, headers = learner["user"]["id"], learner["headers"]
    path = f"{API}/progress/{user}/courses/sounds/chapters"
    done = await client.post(f"{path}/sounds-1", headers=headers)
    assert done.status_code == 200, done.text
    again = (await client.post(f"{path}/sounds-1", headers=headers)).json()["progress"]
    assert (again["completed_chapters"], again["percent_complete"], again["streak_days"]) == (
        ["sounds-1"],
        33.3,
        1,
    )
    assert_error(await client.post(f"{path}/grammar-1", headers=headers), 404, "NotFound")
    body = {"quiz_id": "sounds-1-quiz", "answers": ALL_RIGHT}
    await client.post(f"{API}/quizzes/submit", json=body, headers=headers)
    course = (await client.get(f"{API}/progress/{user}/courses/sounds", headers=headers)).json()
    assert course["quiz_scores"] == {"sounds-1-quiz": 1.0}
    listed = (await client.get(f"{API}/progress/{user}/courses", headers=headers)).json()
    assert [p["course_id"] for p in listed] == ["sounds"]
    reset = await client.put(f"{API}/progress/{user}/streak/reset", headers=headers)
    assert reset.json()["streak"] == {
        "streak_days": 0,
        "longest_streak_days": 1,
        "last_active_on": None,
    }
    course = (await client.get(f"{API}/progress/{user}/courses/sounds", headers=headers)).json()
    assert course["streak_days"] == 0


async def test_premium_content_is_403_saying_premium_is_required_until_granted(
    client, container, learner
):
    user, headers = learner["user"]["id"], learner["headers"]
    assert_error(await client.get(f"{API}/chapters/business-1"), 401, "Unauthorized")
    refused = assert_error(
        await client.get(f"{API}/chapters/business-1", headers=headers), 403, "Forbidden"
    )
    assert "premium" in refused["message"] and refused["details"] == {"required_plan": "premium"}
    assert_error(
        await client.get(f"{API}/quizzes/business-1-quiz", headers=headers), 403, "Forbidden"
    )
    admin = await admin_headers(client, container)
    assert_error(
        await client.post(f"{API}/subscriptions/{user}", json={"plan": "premium"}, headers=headers),
        403,
        "Forbidden",
    )
    granted = await client.post(
        f"{API}/subscriptions/{user}", json={"plan": "premium"}, headers=admin
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["is_active"] is True and granted.json()["end_date"] is None
    assert (await client.get(f"{API}/chapters/business-1", headers=headers)).status_code == 200
    mine = (await client.get(f"{API}/subscriptions/{user}", headers=headers)).json()
    assert mine["plan"] == "premium"
    # Prerequisites before completion: business needs grammar.
    path = f"{API}/progress/{user}/courses/business/chapters/business-1"
    blocked = assert_error(await client.post(path, headers=headers), 409, "Conflict")
    assert blocked["details"] == {"prerequisites": ["grammar"]}
    ended = await client.post(f"{API}/subscriptions/{user}/end", headers=admin)
    assert ended.json()["plan"] == "free"
    assert_error(await client.get(f"{API}/chapters/business-1", headers=headers), 403, "Forbidden")


async def test_grants_are_checked(client, container, learner):
    admin = await admin_headers(client, container)
    user = learner["user"]["id"]
    for body in (
        {"plan": "gold"},
        {"plan": "premium", "end_date": "2020-01-01T00:00:00Z"},
        {"plan": "premium", "end_date": "tomorrow"},
        {},
    ):
        response = await client.post(f"{API}/subscriptions/{user}", json=body, headers=admin)
        assert_error(response, 400, "ValidationError")
    nobody = "00000000-0000-4000-8000-000000000000"
    response = await client.post(
        f"{API}/subscriptions/{nobody}", json={"plan": "premium"}, headers=admin
    )
    assert_error(response, 404, "NotFound")


async def test_search_finds_and_orders_courses_and_chapters(client, corpus):
    found = await client.get(f"{API}/search", params={"q": "vowel sounds"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["query"] == "vowel sounds" and body["total"] == len(body["results"])
    assert body["results"][0] == {**body["results"][0], "type": "course", "id": "sounds"}
    chapters = [r for r in body["results"] if r["type"] == "chapter"]
    assert chapters[0]["id"] == "sounds-1" and "<b>" in chapters[0]["snippet"]
    only = (await client.get(f"{API}/search/chapters", params={"q": "articles"})).json()
    assert [(r["type"], r["id"]) for r in only["results"]] == [("chapter", "grammar-2")]
    courses = (await client.get(f"{API}/search/courses", params={"q": "meetings"})).json()
    assert [r["id"] for r in courses["results"]] == ["business"]
    limited = await client.get(f"{API}/search/chapters", params={"q": "vowel word", "limit": 1})
    assert len(limited.json()["results"]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {},
        {"q": "x" * 201},
        {"q": 'vowel" OR "x'},
        {"q": "vowel*"},
        {"q": "title:vowel"},
        {"q": "vowel & !stress"},
        {"q": "vowel", "limit": 0},
        {"q": "vowel", "limit": 51},
        {"q": "vowel", "limit": "ten"},
    ],
)
async def test_bad_queries_are_400_never_a_database_error(client, corpus, params):
    for path in ("/search", "/search/courses", "/search/chapters"):
        assert_error(await client.get(f"{API}{path}", params=params), 400, "ValidationError")


async def test_concurrent_completions_count_once(client, learner):
    user, headers = learner["user"]["id"], learner["headers"]
    path = f"{API}/progress/{user}/courses/grammar/chapters/grammar-1"
    answers = await asyncio.gather(*(client.post(path, headers=headers) for _ in range(4)))
    assert {r.status_code for r in answers} == {200}
    course = (await client.get(f"{API}/progress/{user}/courses/grammar", headers=headers)).json()
    assert course["completed_chapters"] == ["grammar-1"]
