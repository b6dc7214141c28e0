"""Odd input gets a clear 4xx, never a 500: huge numbers, deep JSON, NUL characters."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from contest.models import Role
from tests.helpers import form_token, in_contest, make_contest, make_questions, make_unit, make_user

HUGE_IDS = [
    "0",
    str(2**31),  # past PostgreSQL's integer
    str(2**63),  # past SQLite's
    str(10**30),
    "1" * 5000,  # past what int() parses at all
]


@pytest.fixture
def everyone(api, frozen_clock):
    """A user with every role, logged in: no route refuses it before reading the id."""
    contest = make_contest(frozen_clock.now)
    make_questions(12)
    user = make_user(
        Role.PARTICIPANT, Role.UNIT_ADMIN, Role.JUDGE, Role.ORGANIZER, unit=make_unit()
    )
    api.login(user)
    api.contest = contest
    return api


def _id_routes(app) -> list[tuple[str, str]]:
    """(method, rule) of every route with an id in its path."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule))
    return routes


def test_every_id_route_answers_404_for_an_id_no_database_holds(app, everyone):
    routes = _id_routes(app)
    assert len(routes) >= 20
    for value in HUGE_IDS:
        for method, rule in routes:
            path = re.sub(r"<int:[a-z_]+>", value, rule)
            response = everyone.client.open(
                path, method=method, headers={"X-CSRFToken": everyone.csrf_token}
            )
            # Werkzeug answers 405 when another method's rule has the same shape.
            expected = {404} if method == "GET" else {404, 405}
            assert response.status_code in expected, (method, path, response.status_code)


def test_ids_in_other_digits_are_not_ids(everyone):
    # '١' is an Arabic-Indic one: int() reads it as 1.
    assert everyone.get("/attempts/\u0661").status_code == 404


def test_a_json_choice_id_past_any_integer_column_is_422(everyone):
    attempt = everyone.post(in_contest(everyone.contest, "/attempts")).get_json()
    question = attempt["questions"][0]["id"]
    for choice_id in (2**31, 2**63, 2**80, True, -1, 0, "1", 1.0):
        response = everyone.put(
            f"/attempts/{attempt['id']}/answers/{question}", json={"choice_id": choice_id}
        )
        assert response.status_code == 422, choice_id
        assert response.get_json()["error"] == "invalid_choice"


def test_a_replaced_video_id_past_any_integer_column_is_404(everyone):
    body = {"title": "Phim", "form": "song", "filename": "a.mp4", "size": 10}
    for replaces_id in (2**63, 2**31, True):
        response = everyone.post(
            in_contest(everyone.contest, "/videos/uploads"),
            json={**body, "replaces_id": replaces_id},
        )
        assert response.status_code == 404, replaces_id


@pytest.mark.parametrize(
    "query",
    [
        "limit=\u00b2",  # '²'.isdigit() is True
        "offset=\u00b9",
        "limit=\u0661",
        "offset=1" + "0" * 30,
        "offset=" + "9" * 5000,
        "limit=0",
        "limit=1001",
        "limit=-1",
        "limit=1_0",
    ],
)
def test_odd_limits_and_offsets_are_422(everyone, query):
    response = everyone.get(in_contest(everyone.contest, "/leaderboard?" + query))
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_limit"


def test_good_limits_and_offsets_still_page(everyone):
    assert (
        everyone.get(in_contest(everyone.contest, "/leaderboard?limit=1000&offset=0")).status_code
        == 200
    )
    assert everyone.get(in_contest(everyone.contest, "/leaderboard")).status_code == 200


@pytest.mark.parametrize(
    "path", ["/organizer/questions/", "/results/leaderboard", "/organizer/audit"]
)
def test_an_absurd_page_is_404_and_a_silly_one_the_first(everyone, path):
    if not path.startswith("/organizer/questions"):
        path = in_contest(everyone.contest, path)
    assert everyone.client.get(path + "?page=" + "1" + "0" * 20).status_code == 404
    assert everyone.client.get(path + "?page=\u00b2").status_code == 404
    assert everyone.client.get(path + "?page=abc").status_code == 200
    assert everyone.client.get(path + "?page=-3").status_code == 200


def test_odd_numbers_in_posted_forms_are_refused_not_500(client, db_session):
    make_contest()
    make_unit()
    token = form_token(client, "/auth/register")
    response = client.post(
        "/auth/register",
        data={
            "csrf_token": token,
            "full_name": "Nguyễn Văn A",
            "phone": "0912345678",
            "unit_id": "\u00b2",
            "password": "secret-pass",
            "confirm": "secret-pass",
        },
    )
    assert response.status_code == 200  # the form again, with its message


def test_odd_ids_in_the_assignment_form_are_ignored(everyone):
    client = everyone.client
    assignments = in_contest(everyone.contest, "/judging/assignments")
    token = form_token(client, assignments)
    for judge_id in ("\u00b2", str(2**63)):
        response = client.post(
            assignments,
            data={"csrf_token": token, "judge_id": judge_id, "video_id": ["\u00b2", str(2**63)]},
        )
        assert response.status_code == 404


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_json_nested_too_deep_is_400_with_the_api_error_body(everyone, depth):
    body = "[" * depth + "]" * depth
    for method, path in [
        ("POST", "/api/v1/session"),
        ("POST", "/api/v1" + in_contest(everyone.contest, "/videos/uploads")),
    ]:
        response = everyone.client.open(
            path,
            method=method,
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": everyone.csrf_token},
        )
        assert response.status_code == 400, path
        assert set(response.get_json()) == {"error", "message"}


def test_a_nul_in_a_query_parameter_is_400(everyone):
    response = everyone.client.get("/organizer/questions/?q=a%00b")
    assert response.status_code == 400
    assert "chứa ký tự NUL" in response.get_data(as_text=True)
    response = everyone.get("/leaderboard?limit=1%00")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_text"


def test_a_nul_in_a_json_string_is_400(api, db_session):
    make_user()
    for body in ({"login": "0912\x00", "password": "x"}, {"login\x00": "a", "password": "x"}):
        response = api.post("/session", json=body)
        assert response.status_code == 400
        assert response.get_json()["error"] == "invalid_text"
    nested = {"login": "a", "password": "x", "more": [{"deep": ["\x00"]}]}
    assert api.post("/session", json=nested).status_code == 400


def test_a_nul_escaped_in_json_of_any_encoding_is_400_and_a_lookalike_is_not(api, db_session):
    make_user()
    headers = {"X-CSRFToken": api.refresh_token(), "Content-Type": "application/json"}
    escaped = '{"login": "0912\\u0000", "password": "x"}'
    for encoding in ("utf-8", "utf-16", "utf-32"):
        body = escaped.encode(encoding)
        response = api.client.post("/api/v1/session", data=body, headers=headers)
        assert response.status_code == 400, encoding
        assert response.get_json()["error"] == "invalid_text"
    # A backslash, then the letters u0000: no NUL, an ordinary wrong login.
    lookalike = '{"login": "0912\\\\u0000", "password": "x"}'
    response = api.client.post("/api/v1/session", data=lookalike, headers=headers)
    assert response.status_code == 401


def test_a_nul_in_a_form_field_is_400_and_nothing_is_stored(client, db_session):
    unit = make_unit()
    token = form_token(client, "/auth/register")
    response = client.post(
        "/auth/register",
        data={
            "csrf_token": token,
            "full_name": "Nguyễn\x00 Văn A",
            "phone": "0912345670",
            "unit_id": str(unit.id),
            "password": "secret-pass",
            "confirm": "secret-pass",
        },
    )
    assert response.status_code == 400
    assert "chứa ký tự NUL" in response.get_data(as_text=True)


def test_a_nul_in_the_path_is_400(everyone):
    assert everyone.client.get(in_contest(everyone.contest, "/results/ties/a%00b")).status_code in (
        400,
        405,
    )
    assert everyone.client.get("/organizer/questions/%00").status_code == 400
