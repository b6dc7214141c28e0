"""Accounts through the forms and the API: register, log in, rate limits, roles."""

import pytest

from contest.domain.text import normalize_phone
from contest.models import Role, User
from tests.helpers import (
    PASSWORD,
    form_token,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("091234567", None),
        ("abc", None),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.fixture
def unit(db_session):
    make_contest()  # registration is open while a contest that allows it is open or to come
    return make_unit()


def register(client, unit, phone="0987 654 321", **overrides):
    data = {
        "csrf_token": form_token(client, "/auth/register"),
        "full_name": "  Nguyễn   Văn An ",
        "phone": phone,
        "unit_id": str(unit.id),
        "position": "Chuyên viên",
        "email": "",
        "password": "mat-khau-1",
        "confirm": "mat-khau-1",
    }
    data.update(overrides)
    return client.post("/auth/register", data=data)


def test_register_creates_a_participant_and_logs_in(client, unit, db_session):
    make_contest()
    response = register(client, unit)
    assert response.status_code == 302
    user = db_session.query(User).filter_by(phone="0987654321").one()
    assert user.full_name == "Nguyễn Văn An"
    assert user.roles == {Role.PARTICIPANT}
    assert user.unit_id == unit.id
    assert client.get("/api/v1/session").get_json()["user"]["id"] == user.id


def test_one_account_per_phone(client, unit, db_session):
    make_contest()
    register(client, unit)
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/")})
    response = register(client, unit, phone="+84987654321")
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert db_session.query(User).filter_by(phone="0987654321").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "12345"}, "Nhập số điện thoại Việt Nam, ví dụ: 0912345678."),
        ({"unit_id": "999999"}, "Vui lòng chọn đơn vị của bạn trong danh sách."),
        ({"unit_id": "abc"}, "Vui lòng chọn đơn vị của bạn trong danh sách."),
        ({"confirm": "khac-nhau"}, "Mật khẩu nhập lại không khớp."),
        ({"password": "123", "confirm": "123"}, "Mật khẩu phải có từ 6 đến 200 ký tự."),
        ({"full_name": ""}, "Vui lòng nhập thông tin này."),
        ({"full_name": "A"}, "Họ và tên phải có từ 2 đến 120 ký tự."),
        ({"email": "khong-phai-email"}, "Nhập địa chỉ email, ví dụ ten@example.vn."),
    ],
)
def test_register_rejects_bad_input_with_a_vietnamese_message(
    client, unit, db_session, overrides, message
):
    before = db_session.query(User).count()
    response = register(client, unit, **overrides)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<p class="error">{message}</p>' in page
    assert db_session.query(User).count() == before


def test_form_post_without_csrf_token_is_400(client, unit):
    response = client.post("/auth/login", data={"login": "x", "password": "y"})
    assert response.status_code == 400


def test_login_form_accepts_phone_or_username(client, db_session):
    user = make_user()
    user.username = "user77"
    token = form_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"csrf_token": token, "login": "USER77", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/api/v1/session").get_json()["user"]["id"] == user.id


def test_login_form_wrong_password_shows_an_error(client, db_session):
    user = make_user()
    token = form_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"csrf_token": token, "login": user.phone, "password": "sai"}
    )
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)


def test_login_redirects_only_to_local_pages(client, db_session):
    contest = make_contest()  # the one open contest: a participant lands on its quiz
    user = make_user()
    token = form_token(client, "/auth/login")
    data = {"csrf_token": token, "login": user.phone, "password": PASSWORD}
    evil = client.post("/auth/login?next=https://evil.example/", data=data)
    assert evil.headers["Location"].endswith(in_contest(contest, "/quiz/"))


def test_api_login_wrong_password_is_401(api, db_session):
    user = make_user()
    response = api.post("/session", json={"login": user.phone, "password": "sai"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_credentials"


def test_api_login_and_logout(api, db_session):
    user = make_user()
    assert api.login(user).get_json()["user"]["phone"] == user.phone
    assert api.delete("/session").get_json()["user"] is None
    assert api.get("/session").get_json()["user"] is None


def test_disabled_account_cannot_log_in(api, db_session):
    user = make_user()
    user.is_active_account = False
    response = api.post("/session", json={"login": user.phone, "password": PASSWORD})
    assert response.status_code == 401


def test_login_is_rate_limited_per_account(api, app, db_session):
    user = make_user()
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        assert (
            api.post("/session", json={"login": user.phone, "password": "sai"}).status_code == 401
        )
    response = api.post("/session", json={"login": user.phone, "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"] == "rate_limited"
    # Another account behind the same address (one office NAT) can still log in.
    colleague = make_user()
    assert (
        api.post("/session", json={"login": colleague.phone, "password": PASSWORD}).status_code
        == 200
    )


def test_change_password(client, db_session):
    user = make_user()
    token = form_token(client, "/auth/login")
    client.post(
        "/auth/login", data={"csrf_token": token, "login": user.phone, "password": PASSWORD}
    )
    token = form_token(client, "/auth/password")
    wrong = client.post(
        "/auth/password",
        data={
            "csrf_token": token,
            "current_password": "sai",
            "new_password": "moi-123456",
            "confirm": "moi-123456",
        },
    )
    assert wrong.status_code == 200
    right = client.post(
        "/auth/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "moi-123456",
            "confirm": "moi-123456",
        },
    )
    assert right.status_code == 302
    assert user.check_password("moi-123456")


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        (None, 302),
        ((Role.PARTICIPANT,), 403),
        ((Role.JUDGE,), 403),
        ((Role.UNIT_ADMIN,), 403),
        ((Role.ORGANIZER,), 200),
        ((Role.PARTICIPANT, Role.ORGANIZER), 200),
    ],
)
def test_organizer_page_is_for_organizers(api, client, db_session, roles, status):
    make_contest()
    if roles is not None:
        api.login(make_user(*roles))
    assert client.get("/organizer/").status_code == status


def test_an_account_disabled_mid_session_is_logged_out(api, db_session):
    make_contest()
    make_questions(10)
    user = make_user()
    api.login(user)
    attempt = api.post("/attempts").get_json()
    question = attempt["questions"][0]
    user.is_active_account = False
    db_session.flush()
    assert api.get("/session").get_json()["user"] is None
    assert api.post("/attempts").status_code == 401
    save = api.put(
        f"/attempts/{attempt['id']}/answers/{question['id']}",
        json={"choice_id": question["choices"][0]["id"]},
    )
    assert save.status_code == 401
