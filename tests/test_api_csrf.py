"""The JSON API's CSRF check (contest.security.protect_api): cross-site writes are refused,
the site's own round page (and any client holding the session's token) is served."""

import pytest

from contest.models import Role
from tests.helpers import in_contest, make_contest, make_questions, make_unit, make_user

SITE = "http://localhost"  # the test client's own origin
EVIL = "https://evil.example"


@pytest.fixture
def playing(api, db_session, frozen_clock):
    make_questions(25)
    contest = make_contest(frozen_clock.now, max_attempts_total=3)
    api.login(make_user(unit=make_unit()))
    return api, contest


def refused(response) -> bool:
    return response.status_code == 400 and response.get_json()["error"] == "csrf_failed"


def test_a_cross_site_form_post_is_refused(playing):
    api, contest = playing
    # What a form on another site sends: form fields, the cookie, no custom header.
    response = api.client.post(
        "/api/v1" + in_contest(contest, "/attempts"),
        data={"csrf_token": api.csrf_token},
        headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
    )
    assert refused(response)
    # Even with the token in a form field and no Origin: the API reads only the header.
    response = api.client.post(
        "/api/v1" + in_contest(contest, "/attempts"), data={"csrf_token": api.csrf_token}
    )
    assert refused(response)


def test_a_cross_origin_fetch_without_the_header_is_refused(playing):
    api, contest = playing
    response = api.client.post(
        "/api/v1" + in_contest(contest, "/attempts"),
        json={},
        headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"},
    )
    assert refused(response)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},  # a sandboxed frame or a file: page
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "http://localhost:8080"},  # same host, another port: another origin
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain
        {"Origin": SITE, "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_foreign_origin_is_refused_even_with_the_token(playing, headers):
    api, contest = playing
    assert refused(api.post(in_contest(contest, "/attempts"), headers=headers))
    assert refused(api.delete("/session", headers=headers))


@pytest.mark.parametrize(
    "token", [None, "", "forged", "ImFiYyI.aGVsbG8.c2lnbmF0dXJl"]
)  # missing, empty, not signed, signed with another key
def test_a_missing_or_forged_token_is_refused(playing, token):
    api, contest = playing
    headers = {} if token is None else {"X-CSRFToken": token}
    response = api.client.post("/api/v1" + in_contest(contest, "/attempts"), headers=headers)
    assert refused(response)


def test_another_sessions_token_is_refused(app, playing, db_session):
    api, contest = playing
    other = app.test_client()
    foreign_token = other.get("/api/v1/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": foreign_token}
    response = api.client.post("/api/v1" + in_contest(contest, "/attempts"), headers=headers)
    assert refused(response)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a client that sends neither (a mobile app, an older browser)
        {"Origin": SITE, "Sec-Fetch-Site": "same-origin"},  # the round page in a browser
        {"Sec-Fetch-Site": "none"},
    ],
)
def test_the_sites_own_requests_are_served(playing, headers):
    api, contest = playing
    attempt = api.post(in_contest(contest, "/attempts"), headers=headers)
    assert attempt.status_code == 201, attempt.get_json()
    question = attempt.get_json()["questions"][0]
    path = f"/attempts/{attempt.get_json()['id']}/answers/{question['id']}"
    save = api.put(path, json={"choice_id": question["choices"][0]["id"]}, headers=headers)
    assert save.status_code == 200, save.get_json()


def test_over_https_a_request_without_origin_needs_a_same_origin_referer(playing):
    api, contest = playing
    path = in_contest(contest, "/attempts")
    https = {"base_url": "https://localhost"}
    headers = {"X-CSRFToken": api.csrf_token}
    no_referer = api.client.post("/api/v1" + path, headers=headers, **https)
    assert refused(no_referer)
    foreign = api.client.post(
        "/api/v1" + path, headers={**headers, "Referer": f"{EVIL}/x"}, **https
    )
    assert refused(foreign)
    own = api.client.post(
        "/api/v1" + path, headers={**headers, "Referer": "https://localhost/quiz"}, **https
    )
    assert own.status_code == 201, own.get_json()


def test_reads_need_no_token(playing):
    api, contest = playing
    response = api.client.get(
        "/api/v1" + in_contest(contest, ""), headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 200


def test_pages_keep_flask_wtfs_check(client, db_session):
    organizer = make_user(Role.ORGANIZER)
    response = client.post("/auth/login", data={"login": organizer.phone, "password": "x"})
    assert response.status_code == 400
