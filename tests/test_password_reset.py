"""Forgotten passwords: a mailed, signed, single-use link valid 30 minutes, through a real SMTP
server on 127.0.0.1; one answer whatever the account; rate limits."""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from contest.auth import services
from contest.clock import utc_now
from contest.models import AuditEntry, Role, User
from tests.helpers import PASSWORD, form_token, make_unit, make_user
from tests.smtp_server import inbox, smtp_server, wait_for_mail_threads  # noqa: F401

NEW_PASSWORD = "mat-khau-moi-1"
LINK = re.compile(r"http://localhost/auth/reset-password/(\S+)")
INVALID = "Liên kết này không còn dùng được"


@pytest.fixture
def member(db_session):
    """A participant with an email address."""
    user = make_user(unit=make_unit())
    user.email = "an.nguyen@example.vn"
    user.username = "an.nguyen"
    return user


def ask(client, typed: str, **kwargs):
    token = form_token(client, "/auth/forgot-password")
    return client.post(
        "/auth/forgot-password", data={"csrf_token": token, "login": typed}, **kwargs
    )


def mailed_token(inbox, count: int = 1) -> str:  # noqa: F811
    message = inbox.wait_for(count)[count - 1]
    return LINK.search(message.get_content()).group(1)


def choose(client, token: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    csrf = form_token(client, f"/auth/reset-password/{token}")
    data = {"csrf_token": csrf, "new_password": password, "confirm": confirm or password}
    return client.post(f"/auth/reset-password/{token}", data=data)


def logs_in(client, login: str, password: str) -> bool:
    token = form_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"csrf_token": token, "login": login, "password": password}
    )
    return response.status_code == 302


def test_the_login_page_links_to_the_forgotten_password_page(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<a href="/auth/forgot-password">Quên mật khẩu?</a>' in page
    assert client.get("/auth/forgot-password").status_code == 200


def test_a_mailed_link_sets_a_new_password(client, member, inbox, db_session):  # noqa: F811
    response = ask(client, "AN.NGUYEN")
    assert response.status_code == 200

    [message] = inbox.wait_for(1)
    assert message["To"] == "an.nguyen@example.vn"
    assert message["From"] == "Hội thi trực tuyến <no-reply@hoithi.test>"
    assert message["Subject"] == "Đặt lại mật khẩu: Hội thi Cải cách hành chính"
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    assert f"Xin chào {member.full_name}," in body
    assert "trong vòng 30 phút" in body
    token = LINK.search(body).group(1)

    form = client.get(f"/auth/reset-password/{token}")
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"  # the token stays out of Referer
    done = choose(client, token)
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/auth/login")
    assert "Đã đổi mật khẩu" in client.get("/auth/login").get_data(as_text=True)
    assert logs_in(client, member.phone, NEW_PASSWORD)
    assert not logs_in(app_client(client), member.phone, PASSWORD)

    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "password_reset_by_link")
    ).one()
    assert (entry.actor_id, entry.target) == (member.id, f"user:{member.id}")


def app_client(client):
    """A second browser on the same app."""
    return client.application.test_client()


def test_the_link_works_once(client, member, inbox):  # noqa: F811
    ask(client, member.phone)
    token = mailed_token(inbox)
    assert choose(client, token).status_code == 302

    again = client.get(f"/auth/reset-password/{token}")
    assert again.status_code == 400
    page = again.get_data(as_text=True)
    assert INVALID in page
    assert 'href="/auth/forgot-password"' in page
    assert choose_without_form(client, token).status_code == 400
    assert logs_in(app_client(client), member.phone, NEW_PASSWORD)


def choose_without_form(client, token: str):
    csrf = form_token(client, "/auth/login")
    data = {"csrf_token": csrf, "new_password": "khac-nua-1", "confirm": "khac-nua-1"}
    return client.post(f"/auth/reset-password/{token}", data=data)


def test_the_link_dies_when_the_password_changes_otherwise(client, member, inbox):  # noqa: F811
    ask(client, member.phone)
    token = mailed_token(inbox)
    member.set_password("doi-cach-khac")
    assert client.get(f"/auth/reset-password/{token}").status_code == 400


def test_the_link_expires_after_30_minutes(client, member, inbox, frozen_clock):  # noqa: F811
    ask(client, member.phone)
    token = mailed_token(inbox)
    frozen_clock.advance(minutes=30)
    assert client.get(f"/auth/reset-password/{token}").status_code == 200
    frozen_clock.advance(seconds=1)
    expired = client.get(f"/auth/reset-password/{token}")
    assert expired.status_code == 400
    assert INVALID in expired.get_data(as_text=True)
    assert choose_without_form(client, token).status_code == 400
    assert logs_in(client, member.phone, PASSWORD)


def test_tokens_are_checked_against_the_now_passed_in(app, member):
    issued = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    token = services.make_reset_token(member, "test-secret", issued)
    later = issued + services.RESET_LINK_MAX_AGE
    assert services.user_for_reset_token(token, "test-secret", later) is member
    assert services.user_for_reset_token(token, "test-secret", later + timedelta(seconds=1)) is None
    assert services.user_for_reset_token(token, "other-secret", issued) is None


@pytest.mark.parametrize(
    "forge",
    [
        # a signature character changed (not the last: its low bits are base64 padding)
        lambda token: token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
        lambda token: token.split(".", 1)[0] + "x." + token.split(".", 1)[1],  # payload changed
        lambda token: token[: len(token) // 2],  # cut short
        lambda token: "not-a-token",
        lambda token: URLSafeTimedSerializer("test-secret", salt="other").dumps({"user": 1}),
        lambda token: URLSafeTimedSerializer("wrong-secret", salt=services.RESET_SALT).dumps(
            {"user": 1, "password": "0" * 32}
        ),
    ],
)
def test_forged_or_tampered_tokens_are_refused(client, member, inbox, forge):  # noqa: F811
    ask(client, member.phone)
    token = forge(mailed_token(inbox))
    response = client.get(f"/auth/reset-password/{token}")
    assert response.status_code == 400
    assert INVALID in response.get_data(as_text=True)


def test_a_token_for_another_account_with_its_own_hash_cannot_be_forged(app, member):
    """The payload is readable, but without the secret key no one can sign another one."""
    payload = {"user": member.id, "password": services._password_fingerprint(member.password_hash)}
    forged = URLSafeTimedSerializer("guessed", salt=services.RESET_SALT).dumps(payload)
    assert services.user_for_reset_token(forged, "test-secret", utc_now()) is None


def answer_body(response) -> str:
    """The page without what differs between any two requests (the CSRF token)."""
    return re.sub(r'content="[^"]+"', "", response.get_data(as_text=True))


def test_the_answer_is_the_same_whoever_the_account_is(client, db_session, inbox):  # noqa: F811
    unit = make_unit()
    with_email = make_user(unit=unit)
    with_email.email = "co.email@example.vn"
    without_email = make_user(unit=unit)
    disabled = make_user(unit=unit)
    disabled.email = "da.khoa@example.vn"
    disabled.is_active_account = False
    make_user(Role.UNIT_ADMIN, unit=unit, full_name="Trần Đầu Mối")

    answers = [
        ask(app_client(client), typed)
        for typed in (
            with_email.phone,
            without_email.phone,
            "0999999999",
            "khong.co@example.vn",
            "ai-do",
            disabled.phone,
        )
    ]
    assert {response.status_code for response in answers} == {200}
    assert len({answer_body(response) for response in answers}) == 1
    page = answers[0].get_data(as_text=True)
    assert "Nếu tài khoản có địa chỉ email, chúng tôi đã gửi" in page
    assert "cán bộ đầu mối của đơn vị bạn hoặc Ban Tổ chức" in page

    wait_for_mail_threads()
    assert [message["To"] for message in inbox.messages] == ["co.email@example.vn"]


def test_the_answer_lists_every_unit_with_its_admins_and_no_phone(client, db_session):
    unit = make_unit()
    admin = make_user(Role.UNIT_ADMIN, unit=unit, full_name="Lê Thị Đầu Mối")
    gone = make_user(Role.UNIT_ADMIN, unit=unit, full_name="Người Đã Nghỉ")
    gone.is_active_account = False
    make_user(unit=unit, full_name="Người Dự Thi Thường")
    lonely = make_unit()

    page = ask(client, "0999999999").get_data(as_text=True)
    assert f"<tr><td>{unit.name}</td><td>Lê Thị Đầu Mối</td></tr>" in page
    assert f"<td>{lonely.name}</td>" in page
    assert "Người Đã Nghỉ" not in page
    assert "Người Dự Thi Thường" not in page
    assert admin.phone not in page


def test_an_email_typed_reaches_every_account_of_that_address(client, db_session, inbox):  # noqa: F811
    unit = make_unit()
    first, second = make_user(unit=unit), make_user(unit=unit)
    first.email = second.email = "Chung.Hop.Thu@example.vn"

    ask(client, "  chung.hop.thu@EXAMPLE.vn ")
    messages = inbox.wait_for(2)
    bodies = [message.get_content() for message in messages]
    assert sorted(first.phone in body for body in bodies) == [False, True]
    assert sorted(second.phone in body for body in bodies) == [False, True]


def test_without_a_mail_server_the_answer_sends_to_the_unit_admins(
    app, client, member, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    page = ask(client, member.phone).get_data(as_text=True)
    assert "Hãy liên hệ cán bộ đầu mối của đơn vị bạn hoặc Ban Tổ chức" in page
    assert "chúng tôi đã gửi" not in page

    monkeypatch.setitem(app.config, "DEMO", True)
    with caplog.at_level(logging.WARNING, logger="contest.mail"):
        ask(app_client(client), member.phone)
    assert "/auth/reset-password/" in caplog.text  # the demo logs the link it cannot send


def test_links_use_the_configured_site_address(app, client, member, inbox, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SITE_URL", "https://hoithi.example.vn")
    ask(client, member.phone)
    body = inbox.wait_for(1)[0].get_content()
    assert "https://hoithi.example.vn/auth/reset-password/" in body  # not the request's host


def test_the_new_password_follows_the_password_rules(client, member, inbox):  # noqa: F811
    ask(client, member.phone)
    token = mailed_token(inbox)
    short = choose(client, token, "123")
    assert short.status_code == 200
    assert "Mật khẩu phải có từ 6 đến 200 ký tự." in short.get_data(as_text=True)
    differ = choose(client, token, NEW_PASSWORD, confirm="khac-hoan-toan")
    assert "Mật khẩu nhập lại không khớp." in differ.get_data(as_text=True)
    assert logs_in(client, member.phone, PASSWORD)  # nothing changed, the link still works
    assert client.get(f"/auth/reset-password/{token}").status_code == 200


def test_a_reset_ends_the_users_sessions(app, member, monkeypatch):
    ended = []
    monkeypatch.setattr(User, "revoke_sessions", lambda user: ended.append(user), raising=False)
    services.reset_password(member, NEW_PASSWORD, utc_now())
    assert ended == [member]
    assert member.check_password(NEW_PASSWORD)


def test_requests_are_limited_per_account_typed(app, client, member, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    for _ in range(5):
        assert ask(app_client(client), member.phone).status_code == 200
    refused = ask(app_client(client), "+84 " + member.phone[1:])  # the same account, typed again
    assert refused.status_code == 429
    assert "Có quá nhiều yêu cầu đặt lại mật khẩu" in refused.get_data(as_text=True)
    # Unknown accounts are limited alike: the limit tells nothing either.
    for _ in range(5):
        ask(app_client(client), "0999999999")
    assert ask(app_client(client), "0999999999").status_code == 429
    assert ask(app_client(client), "0988888888").status_code == 200


def test_requests_are_limited_per_address(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS", "3 per hour")
    office = {"REMOTE_ADDR": "10.1.1.1"}
    for n in range(3):
        assert ask(client, f"09000000{n:02d}", environ_base=office).status_code == 200
    assert ask(client, "0900000099", environ_base=office).status_code == 429
    assert ask(client, "0900000099", environ_base={"REMOTE_ADDR": "10.1.1.2"}).status_code == 200
