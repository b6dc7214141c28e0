"""The OpenAPI document stays true: every route is described, every response fits its schema."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator

from contest.api.openapi import openapi_document
from contest.models import Role
from tests.helpers import make_contest, make_questions, make_unit, make_user

DOCUMENT = openapi_document()


def documented_operations() -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, operations in DOCUMENT["paths"].items()
        for method in operations
    }


def test_every_api_route_is_documented_and_nothing_else(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        routes |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented_operations()


def check(response, path: str, method: str) -> None:
    """The response's status is documented for this operation and its body fits the schema."""
    operation = DOCUMENT["paths"][path][method]
    documented = operation["responses"]
    assert str(response.status_code) in documented, (path, method, response.status_code)
    content = documented[str(response.status_code)].get("content")
    if content:
        schema = content["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": DOCUMENT["components"]})
        errors = list(validator.iter_errors(response.get_json()))
        assert not errors, [error.message for error in errors]


@pytest.fixture
def world(db_session):
    make_questions(12)
    return make_contest(), make_user(unit=make_unit())


def test_responses_match_the_document(api, world):
    contest, user = world
    scoped = f"/contests/{contest.slug}"
    one_contest, start = "/contests/{contest_slug}", "/contests/{contest_slug}/attempts"
    check(api.get("/session"), "/session", "get")
    check(api.post("/session", json={"login": user.phone, "password": "sai"}), "/session", "post")
    check(api.get("/contests"), "/contests", "get")
    check(api.get(scoped), one_contest, "get")
    check(api.get("/contests/khong-co"), one_contest, "get")
    check(api.post(f"{scoped}/attempts"), start, "post")
    check(api.login(user), "/session", "post")
    check(api.get(scoped), one_contest, "get")
    check(api.get("/contest"), "/contest", "get")
    api.reports_shown = False  # reported below, through the document
    started = api.post(f"{scoped}/attempts")
    check(started, start, "post")
    check(api.post(f"{scoped}/attempts"), start, "post")
    check(api.post("/attempts"), "/attempts", "post")
    attempt = started.get_json()
    question = attempt["questions"][0]
    one = "/attempts/{attempt_id}"
    answer = "/attempts/{attempt_id}/answers/{question_id}"
    base = f"/attempts/{attempt['id']}"
    check(api.get(base), one, "get")
    check(api.get("/attempts/987654"), one, "get")
    shown = "/attempts/{attempt_id}/shown"
    check(api.post(f"{base}/shown", json={"question_ids": [question["id"]]}), shown, "post")
    check(api.post(f"{base}/shown", json={"question_ids": []}), shown, "post")
    check(api.post(f"{base}/shown", json={"question_ids": [987654]}), shown, "post")
    check(api.post("/attempts/987654/shown", json={"question_ids": [1]}), shown, "post")
    check(api.get(scoped), one_contest, "get")  # with a round started: the pace in use
    choice = {"choice_id": question["choices"][0]["id"]}
    check(api.put(f"{base}/answers/{question['id']}", json=choice), answer, "put")
    check(api.put(f"{base}/answers/{question['id']}", json={"choice_id": "x"}), answer, "put")
    check(api.post(f"{base}/submit"), "/attempts/{attempt_id}/submit", "post")
    check(api.post(f"{base}/shown", json={"question_ids": [question["id"]]}), shown, "post")
    check(api.put(f"{base}/answers/{question['id']}", json=choice), answer, "put")
    check(api.get(base), one, "get")
    board = "/contests/{contest_slug}/leaderboard"
    check(api.get(f"{scoped}/leaderboard?limit=5"), board, "get")
    check(api.get(f"{scoped}/leaderboard?limit=0"), board, "get")
    check(api.get("/leaderboard?limit=5"), "/leaderboard", "get")
    check(api.delete("/session"), "/session", "delete")
    assert api.get("/openapi.json").get_json() == DOCUMENT


def test_video_upload_responses_match_the_document(api, db_session):
    now = datetime.now(UTC)
    contest = make_contest(
        now, video_opens_at=now - timedelta(days=1), video_closes_at=now + timedelta(1)
    )
    admin = make_user(Role.UNIT_ADMIN, unit=make_unit())
    body = {"title": "Phim", "form": "song", "filename": "phim.mp4", "size": 5}
    uploads, path = (
        f"/contests/{contest.slug}/videos/uploads",
        "/contests/{contest_slug}/videos/uploads",
    )
    check(api.post(uploads, json=body), path, "post")
    api.login(admin)
    check(api.post(uploads, json={**body, "size": 0}), path, "post")
    check(api.post(uploads, json={**body, "size": 10**12}), path, "post")
    check(api.post("/contests/khong-co/videos/uploads", json=body), path, "post")
    started = api.post(uploads, json=body)
    check(started, path, "post")
    video_id = started.get_json()["video_id"]
    one, part = "/videos/uploads/{video_id}", "/videos/uploads/{video_id}/parts/{number}"
    check(api.get(uploads), path, "get")
    check(api.get(f"/videos/uploads/{video_id}"), one, "get")
    check(api.get("/videos/uploads/987654"), one, "get")
    check(api.post(f"/videos/uploads/{video_id}/parts/1/url"), part + "/url", "post")
    sent = api.client.put(
        f"/api/v1/videos/uploads/{video_id}/parts/1",
        data=b"hello",
        headers={"X-CSRFToken": api.csrf_token},
    )
    check(sent, part, "put")
    check(api.post(f"/videos/uploads/{video_id}/complete"), one + "/complete", "post")
    check(api.delete(f"/videos/uploads/{video_id}"), one, "delete")
    other = api.post(uploads, json=body).get_json()["video_id"]
    check(api.delete(f"/videos/uploads/{other}"), one, "delete")


def concrete(path: str) -> str:
    """A documented path with its parameters filled in."""
    return re.sub(r"\{\w+\}", "1", path)


def test_a_method_not_allowed_names_the_allowed_ones(client):
    for path, operations in DOCUMENT["paths"].items():
        response = client.open("/api/v1" + concrete(path), method="TRACE")
        assert response.status_code == 405, path
        allowed = {method.strip() for method in response.headers["Allow"].split(",")}
        assert {method.upper() for method in operations} <= allowed, path
        assert response.get_json()["error"]
    page = client.open("/auth/login", method="TRACE")
    assert page.status_code == 405
    assert "GET" in page.headers["Allow"]


def query_parameter(path: str, name: str) -> dict:
    parameters = DOCUMENT["paths"][path]["get"]["parameters"]
    return next(p["schema"] for p in parameters if p["in"] == "query" and p["name"] == name)


@pytest.mark.parametrize(
    ("limit", "offset"), [(1, 0), (1000, 5), (0, 0), (1001, 0), (-1, 0), (10, -1)]
)
def test_the_leaderboard_accepts_exactly_what_the_document_allows(api, world, limit, offset):
    path = "/leaderboard"  # the one open contest's (the scoped one has the same parameters)
    documented = all(
        Draft202012Validator(query_parameter(path, name)).is_valid(value)
        for name, value in (("limit", limit), ("offset", offset))
    )
    response = api.get(f"{concrete(path)}?limit={limit}&offset={offset}")
    check(response, path, "get")
    assert response.status_code == (200 if documented else 422)


def test_a_rate_limited_submit_is_documented(app, api, world, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZ_API_RATE_LIMIT", "1 per minute")
    api.login(world[1])
    attempt = api.post("/attempts").get_json()
    submit = "/attempts/{attempt_id}/submit"
    assert api.post(f"/attempts/{attempt['id']}/submit").status_code == 200
    limited = api.post(f"/attempts/{attempt['id']}/submit")
    assert limited.status_code == 429
    check(limited, submit, "post")
