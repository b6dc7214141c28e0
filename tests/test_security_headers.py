"""Every response carries the security headers; pages run no inline script."""

import re
from pathlib import Path

import pytest

from contest.security import page_policy, s3_origins
from tests.helpers import ApiClient, in_contest, make_contest, make_user

TEMPLATES = Path(__file__).parent.parent / "templates"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_common_headers(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_page_has_the_policy_and_the_other_headers(client, db_session):
    make_contest()
    response = client.get("/")
    assert response.status_code == 200
    assert_common_headers(response)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    assert "no-store" not in response.headers.get("Cache-Control", "")  # anonymous page


def test_hsts_only_over_https(client, db_session):
    make_contest()
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert_common_headers(response)


def test_a_logged_in_page_is_not_stored(client, api, db_session):
    contest = make_contest()
    api.login(make_user())
    response = client.get(in_contest(contest, "/quiz/"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert_common_headers(response)


def test_every_api_response_is_not_stored(api, db_session):
    make_contest()
    for response in (
        api.get("/contest"),
        api.get("/session"),
        api.get("/leaderboard"),
        api.get("/nothing-here"),
        api.post("/attempts"),  # 401
    ):
        assert response.headers["Cache-Control"] == "no-store", response.status_code
        assert_common_headers(response)
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_errors_have_the_headers_too(client, db_session):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert_common_headers(response)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_static_files_are_cached_but_not_sniffed(app, client, db_session):
    ApiClient(client).login(make_user())
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


@pytest.mark.parametrize(
    ("config", "origins"),
    [
        ({}, []),
        ({"S3_BUCKET": "video"}, ["https://video.s3.amazonaws.com"]),
        (
            {"S3_BUCKET": "video", "S3_REGION": "ap-southeast-1"},
            ["https://video.s3.amazonaws.com", "https://video.s3.ap-southeast-1.amazonaws.com"],
        ),
        (
            {"S3_BUCKET": "video", "S3_ENDPOINT_URL": "https://s3.example.vn:9000/x"},
            ["https://s3.example.vn:9000"],
        ),
    ],
)
def test_videos_in_s3_may_be_reached_by_the_player_and_the_uploader(config, origins):
    assert s3_origins(config) == origins
    policy = directives(page_policy(config))
    for directive in ("media-src", "connect-src", "img-src"):
        assert policy[directive][:1] == ["'self'"]
        assert all(origin in policy[directive] for origin in origins)
    assert policy["script-src"] == ["'self'"]


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_hold_no_inline_script_or_style(path):
    html = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        # Script files, or JSON data blocks (which the browser does not run).
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "style attribute"
    assert "javascript:" not in html
