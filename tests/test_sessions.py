"""Sessions end when they should: logout, a new password, a reset and a deactivation end every
session of the user, copied cookies and remember-me cookies included; the remember-me cookie is
as well protected as the session cookie; logging in takes as long for unknown accounts.
"""

import hashlib
import re

import pytest
from flask import Flask
from sqlalchemy import select

from contest import setup
from contest.auth import services as auth_services
from contest.auth.sessions import SessionUser, parse_user_id
from contest.models import Answer
from tests.helpers import (
    PASSWORD,
    ApiClient,
    form_token,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)

REMEMBER = "remember_token"


def log_in(client, user, remember: bool = False) -> None:
    data = {"csrf_token": form_token(client, "/auth/login"), "login": user.phone}
    data["password"] = PASSWORD
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 302


def session_user_of(client) -> int | None:
    user = client.get("/api/v1/session").get_json()["user"]
    return user and user["id"]


def copy_of(app, client, *names: str):
    """Another browser holding copies of `client`'s cookies."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value, domain="localhost")
    return thief


def log_out(client) -> None:
    token = form_token(client, "/")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12:3", SessionUser(12, 3)),
        ("12", SessionUser(12, 0)),  # a session from before versions
        ("12:", SessionUser(12, 0)),
        ("x:3", None),
        ("12:x", None),
        ("²:1", None),
        ("12:¹", None),
        (None, None),
        (12, None),
    ],
)
def test_session_ids_name_the_user_and_the_version(value, expected):
    assert parse_user_id(value) == expected


def test_a_copied_session_cookie_ends_with_the_logout(app, client, db_session):
    user = make_user()
    log_in(client, user)
    copy = copy_of(app, client, "session")
    assert session_user_of(copy) == user.id
    log_out(client)
    assert session_user_of(client) is None
    assert session_user_of(copy) is None


def test_the_api_logout_ends_every_session_too(app, api, db_session):
    user = make_user()
    api.login(user)
    other_device = ApiClient(app.test_client())
    other_device.login(user)
    assert api.delete("/session").status_code == 200
    assert other_device.get("/session").get_json()["user"] is None


def test_the_remember_me_cookie_ends_with_the_logout(app, client, db_session):
    user = make_user()
    log_in(client, user, remember=True)
    remembered = copy_of(app, client, REMEMBER)
    assert session_user_of(remembered) == user.id  # the cookie alone logs in
    log_out(client)
    later = app.test_client()
    later.set_cookie(REMEMBER, remembered.get_cookie(REMEMBER).value, domain="localhost")
    assert session_user_of(later) is None


def change_password(client, new: str = "moi-123456"):
    token = form_token(client, "/auth/password")
    data = {"csrf_token": token, "current_password": PASSWORD, "new_password": new}
    return client.post("/auth/password", data={**data, "confirm": new})


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, client, db_session):
    user = make_user()
    log_in(client, user, remember=True)
    other = app.test_client()
    log_in(other, user, remember=True)
    stolen = copy_of(app, other, REMEMBER)
    assert change_password(client).status_code == 302
    assert session_user_of(client) == user.id  # this session goes on
    assert session_user_of(other) is None
    assert session_user_of(stolen) is None
    # This browser's remember-me cookie was renewed at the new version.
    assert session_user_of(copy_of(app, client, REMEMBER)) == user.id


def test_an_organizers_reset_or_a_deactivation_ends_every_session(app, client, db_session):
    user = make_user()
    log_in(client, user, remember=True)
    remembered = copy_of(app, client, REMEMBER)
    user.set_password("dat-lai-1")  # what an organizer's reset does
    db_session.flush()
    assert session_user_of(client) is None
    assert session_user_of(remembered) is None

    second = app.test_client()
    data = {"csrf_token": form_token(second, "/auth/login"), "login": user.phone}
    assert second.post("/auth/login", data={**data, "password": "dat-lai-1"}).status_code == 302
    user.is_active_account = False
    db_session.flush()
    user.is_active_account = True  # reactivated: the old sessions stay ended
    db_session.flush()
    assert session_user_of(second) is None


def test_revoke_sessions_ends_them(app, api, db_session):
    user = make_user()
    api.login(user)
    user.revoke_sessions()
    db_session.flush()
    assert api.get("/session").get_json()["user"] is None


def test_a_revoked_session_cannot_save_answers(app, api, db_session):
    make_questions(10)
    make_contest()
    user = make_user(unit=make_unit())
    api.login(user)
    attempt = api.post("/attempts").get_json()
    question = attempt["questions"][0]
    path = f"/attempts/{attempt['id']}/answers/{question['id']}"
    choice = {"choice_id": question["choices"][0]["id"]}
    assert api.put(path, json=choice).status_code == 200
    other_device = ApiClient(app.test_client())
    other_device.login(user)
    other_device.delete("/session")  # logging out elsewhere ends this session too
    second = {"choice_id": question["choices"][1]["id"]}
    refused = api.put(path, json=second)
    assert refused.status_code == 401
    saved = db_session.scalars(select(Answer.choice_id).where(Answer.attempt_id == attempt["id"]))
    assert saved.all() == [choice["choice_id"]]


def test_the_remember_me_cookie_follows_the_session_cookie(monkeypatch, tmp_path):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    configured = Flask("contest", instance_path=str(tmp_path))
    setup.configure(configured, {"TESTING": True, "SECRET_KEY": "x"})
    assert configured.config["SESSION_COOKIE_SECURE"] is True
    assert configured.config["REMEMBER_COOKIE_SECURE"] is True
    assert configured.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert configured.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"

    monkeypatch.delenv("SESSION_COOKIE_SECURE")
    plain = Flask("contest", instance_path=str(tmp_path))
    setup.configure(plain, {"TESTING": True, "SECRET_KEY": "x"})
    assert plain.config["REMEMBER_COOKIE_SECURE"] is False  # a demo over plain HTTP works


def test_the_remember_me_cookie_is_secure_httponly_and_lax(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    user = make_user()
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "login": user.phone, "password": PASSWORD, "remember": "y"}
    response = client.post(
        "/auth/login",
        data=data,
        base_url="https://localhost",
        headers={"Referer": "https://localhost/auth/login"},  # Flask-WTF's HTTPS check
    )
    assert response.status_code == 302
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    for name in ("session", REMEMBER):
        attributes = {part.strip().lower() for part in cookies[name].split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= attributes, cookies[name]


def count_scrypt(monkeypatch) -> list:
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_an_unknown_login_costs_a_password_check_like_a_known_one(db_session, monkeypatch):
    user = make_user()
    disabled = make_user()
    disabled.is_active_account = False
    auth_services.authenticate("0988888881", "sai")  # the dummy hash is made once per process
    calls = count_scrypt(monkeypatch)
    assert auth_services.authenticate(user.phone, "sai") is None
    known = len(calls)
    assert known == 1
    assert auth_services.authenticate("0988888882", "sai") is None
    assert auth_services.authenticate("nobody-here", "sai") is None
    assert auth_services.authenticate(disabled.phone, PASSWORD) is None
    assert len(calls) == 4 * known
