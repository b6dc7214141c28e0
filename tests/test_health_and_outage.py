"""/healthz for the load balancer, and a database that does not answer: a 503 with a message.

The outage is real: an app of the test's own points at a PostgreSQL address where nothing
listens (port 1 of 127.0.0.1), so every query fails as a lost database does, with
SQLAlchemy's OperationalError, before or during the request.
"""

import pytest

from contest.setup import RETRY_AFTER_SECONDS
from tests.apps import own_app

UNREACHABLE_DATABASE = "postgresql+psycopg://contest:secret-password@127.0.0.1:1/contest"
UNREACHABLE_REDIS = "fallback+redis://127.0.0.1:1/0"


def test_healthz_reports_the_database_redis_and_the_version(app, client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not_configured",
        "version": app.config["APP_VERSION"],
    }
    assert "Set-Cookie" not in reply.headers  # a balancer's probe opens no session


def test_the_version_comes_from_the_project_unless_the_image_sets_it(monkeypatch, tmp_path):
    from contest.config import load_config, project_version

    assert project_version() == "0.1.0"  # pyproject.toml's
    monkeypatch.setenv("APP_VERSION", "2026.12-abc123")
    assert load_config(str(tmp_path))["APP_VERSION"] == "2026.12-abc123"


@pytest.fixture
def lost_database(tmp_path):
    """An app whose database and Redis do not answer."""
    with own_app(
        UNREACHABLE_DATABASE,
        tmp_path,
        DATABASE_TIMEOUT=2,
        RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS,
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2, "retry_seconds": 5.0},
    ) as lost:
        yield lost


def test_healthz_is_503_without_the_database_and_tells_no_secret(lost_database):
    reply = lost_database.test_client().get("/healthz")
    assert reply.status_code == 503
    body = reply.get_json()
    assert body == {
        "status": "unavailable",
        "database": "unreachable",
        "redis": "unreachable",
        "version": lost_database.config["APP_VERSION"],
    }
    text = reply.get_data(as_text=True)
    for secret in ("secret-password", "127.0.0.1", "contest:"):
        assert secret not in text


def test_healthz_stays_200_while_only_redis_is_down(tmp_path, database_url):
    """Without Redis the limits are kept in memory and the contest goes on: stay in service."""
    with own_app(
        database_url,
        tmp_path,
        RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS,
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.2, "retry_seconds": 5.0},
    ) as served:
        reply = served.test_client().get("/healthz")
    assert reply.status_code == 200
    assert reply.get_json()["database"] == "ok"
    assert reply.get_json()["redis"] == "unreachable"


def test_the_api_answers_503_with_a_message_when_the_database_is_lost(lost_database):
    reply = lost_database.test_client().get("/api/v1/contests")
    assert reply.status_code == 503
    assert reply.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = reply.get_json()
    assert body["error"] == "database_unavailable"
    assert "cơ sở dữ liệu" in body["message"]  # Vietnamese by default


def test_a_contest_route_answers_503_when_its_contest_cannot_be_looked_up(lost_database):
    reply = lost_database.test_client().get("/api/v1/contests/cchc-2026?lang=en")
    assert reply.status_code == 503
    assert "database does not answer" in reply.get_json()["message"]


def test_a_page_answers_503_with_a_page_that_reloads_itself(lost_database):
    client = lost_database.test_client()
    for path in ("/", "/contests/cchc-2026/quiz/", "/auth/login"):
        reply = client.get(path)
        assert reply.status_code == 503, path
        page = reply.get_data(as_text=True)
        assert "cơ sở dữ liệu không phản hồi" in page
        assert f'<meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">' in page


def test_a_login_sent_while_the_database_is_lost_is_a_503_not_a_500(lost_database):
    lost_database.config["WTF_CSRF_ENABLED"] = False
    reply = lost_database.test_client().post(
        "/api/v1/session", json={"login": "0912345678", "password": "x"}
    )
    assert reply.status_code == 503
    assert reply.get_json()["error"] == "database_unavailable"
