"""People: searching, creating, importing, editing, deactivating accounts and resetting
passwords (organizers for everyone, unit admins for their own unit's participants)."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from contest.domain.accounts_file import check_account, read_accounts_workbook
from contest.domain.text import search_fold
from contest.errors import Refused
from contest.models import AuditEntry, BestRound, CredentialHandoff, Role, User
from contest.people import services
from tests.helpers import (
    PASSWORD,
    ApiClient,
    form_token,
    graded_round,
    in_contest,
    make_contest,
    make_unit,
    make_user,
)

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


# The domain: folding and checking


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn An", "nguyen van an"),
        ("ĐẶNG  Thị Ánh", "dang thi anh"),
        ("Phường Đống Đa", "phuong dong da"),
        (None, ""),
    ],
)
def test_search_fold_drops_case_marks_and_the_stroke_of_d(text, folded):
    assert search_fold(text) == folded


def test_one_account_is_checked_as_a_files_row_is():
    row, problems = check_account(
        {"full_name": "Lê Văn Bình", "username": "binh", "phone": ""},
        unit_required=False,
    )
    assert problems == []
    assert (row.phone, row.unit_code, row.roles) == (None, None, ("participant",))
    _, problems = check_account({"full_name": "B", "phone": "123", "unit_code": ""})
    assert [(p.column, p.code) for p in problems] == [
        ("full_name", "bad_full_name"),
        ("phone", "bad_phone"),
        ("unit_code", "missing_unit"),
    ]
    _, problems = check_account({"full_name": "Lê Bình"}, unit_required=False)
    assert [p.code for p in problems] == ["no_login"]


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_is_read_under_the_csv_rules_with_excels_row_numbers():
    content = xlsx(
        ("Full_Name", "Phone", "Unit_Code", "Roles"),
        ("Nguyễn Văn An", 912345678, "snv", None),  # a number cell: Excel dropped the 0
        (None, None, None, None),
        ("Trần Bé", "0912 345 678", "SNV", "judge"),
    )
    accounts = read_accounts_workbook(content)
    assert [(row.line, row.phone, row.unit_code) for row in accounts.rows] == [
        (2, "0912345678", "SNV")
    ]
    assert [(p.line, p.code) for p in accounts.problems] == [(4, "duplicate_phone")]
    assert [p.code for p in read_accounts_workbook(b"not a zip").problems] == ["unreadable_xlsx"]


# Services


@pytest.fixture
def units(db_session):
    snv, stp = make_unit(code="SNV"), make_unit(code="STP")
    snv.name, stp.name = "Sở Nội vụ", "Sở Tư pháp"
    return snv, stp


@pytest.fixture
def organizer(db_session):
    return make_user(Role.ORGANIZER, full_name="Ban Tổ chức")


def test_search_ignores_case_and_diacritics_and_finds_units_and_phones(units, db_session):
    snv, stp = units
    an = make_user(unit=snv, full_name="Nguyễn Văn An")
    duc = make_user(unit=stp, full_name="Đỗ Đức Thắng")
    make_user(unit=stp, full_name="Trần Văn Nguyên")

    def names(query, **filters):
        return [u.full_name for u in services.search_accounts(query, **filters).people]

    assert names("nguyen van") == ["Nguyễn Văn An"]
    assert names("NGUYỄN văn") == ["Nguyễn Văn An"]
    assert names("do duc") == names("đỗ đức") == ["Đỗ Đức Thắng"]
    assert names("noi vu") == ["Nguyễn Văn An"]  # the unit's name
    assert names("van", unit_id=stp.id) == ["Trần Văn Nguyên"]
    assert names(duc.phone) == ["Đỗ Đức Thắng"]
    assert names("+84" + an.phone[1:]) == ["Nguyễn Văn An"]
    assert names("100%_") == []  # LIKE's wildcards are text here
    an.full_name = "Nguyễn Văn Ánh"  # the key follows an update
    db_session.flush()
    assert names("van anh") == ["Nguyễn Văn Ánh"]


def test_search_pages_in_the_keys_order(db_session):
    unit = make_unit()
    for n in range(5):
        make_user(unit=unit, full_name=f"Phạm Thị Hoa {n}")
    first = services.search_accounts("pham thi hoa", per_page=2)
    last = services.search_accounts("pham thi hoa", per_page=2, page=3)
    assert [u.full_name for u in first.people] == ["Phạm Thị Hoa 0", "Phạm Thị Hoa 1"]
    assert first.has_next
    assert not last.has_next
    assert [u.full_name for u in last.people] == ["Phạm Thị Hoa 4"]


def test_creating_an_account_follows_the_import_rules_and_is_logged(units, organizer):
    snv, _ = units
    values = {"full_name": "Lê  Văn Bình", "phone": "0912 000 111", "position": "Chuyên viên"}
    user, password = services.create_account(values, {Role.PARTICIPANT}, snv, organizer, NOW)
    assert (user.full_name, user.phone, user.unit_id) == ("Lê Văn Bình", "0912000111", snv.id)
    assert password
    assert user.check_password(password)
    assert user.must_change_password
    with pytest.raises(services.AccountProblems) as taken:
        services.create_account(values, {Role.PARTICIPANT}, snv, organizer, NOW)
    assert [p.code for p in taken.value.problems] == ["phone_taken"]
    with pytest.raises(services.AccountProblems) as no_unit:
        services.create_account(
            {"full_name": "Ai Đó", "phone": "0912000222"}, {Role.PARTICIPANT}, None, organizer, NOW
        )
    assert [p.code for p in no_unit.value.problems] == ["missing_unit"]
    judge, given = services.create_account(
        {"full_name": "Giám Khảo", "username": "gk1", "password": "mat-khau-gk"},
        {Role.JUDGE},
        None,
        organizer,
        NOW,
    )
    assert given is None
    assert judge.phone is None
    assert not judge.must_change_password
    entry = services.account_history(user)[0]
    assert (entry.action, entry.actor_id, entry.contest_id) == (
        "account_created",
        organizer.id,
        None,
    )


def test_editing_moves_the_best_rounds_with_the_unit_and_logs_the_changes(units, organizer):
    snv, stp = units
    contest = make_contest()
    person = make_user(unit=snv, full_name="Nguyễn Văn An")
    graded_round(contest, person, 8, 100_000, NOW)
    values = {"full_name": "Nguyễn Văn Ân", "position": "Phó phòng", "email": ""}
    changes = services.update_account(
        person, values, {Role.PARTICIPANT, Role.UNIT_ADMIN}, stp, organizer, NOW
    )
    assert changes == {
        "full_name": ["Nguyễn Văn An", "Nguyễn Văn Ân"],
        "position": [None, "Phó phòng"],
        "unit": ["SNV", "STP"],
        "roles": [["participant"], ["participant", "unit_admin"]],
    }
    best = services.db.session.scalar(select(BestRound).where(BestRound.user_id == person.id))
    assert best.unit_id == stp.id
    assert services.account_history(person)[0].details["unit"] == ["SNV", "STP"]


def test_the_last_organizer_and_ones_own_organizer_role_stay(units, organizer):
    with pytest.raises(Refused, match="chính mình"):
        services.update_account(
            organizer, {"full_name": "Ban Tổ chức"}, {Role.JUDGE}, None, organizer, NOW
        )
    with pytest.raises(Refused, match="chính mình"):
        services.deactivate_account(organizer, organizer, NOW)
    other = make_user(Role.ORGANIZER)
    other.is_active_account = False
    with pytest.raises(Refused, match="cuối cùng"):
        services.update_account(
            organizer, {"full_name": "Ban Tổ chức"}, {Role.JUDGE}, None, other, NOW
        )
    other.is_active_account = True
    services.deactivate_account(organizer, other, NOW)
    assert not organizer.is_active_account


def test_deactivate_reactivate_and_reset_end_sessions_and_are_logged(units, organizer, monkeypatch):
    person = make_user(unit=units[0])
    ended = []
    monkeypatch.setattr(User, "revoke_sessions", lambda user: ended.append(user.id), raising=False)
    services.deactivate_account(person, organizer, NOW)
    services.reactivate_account(person, organizer, NOW)
    password = services.reset_password(person, organizer, NOW)
    assert person.check_password(password)
    assert not person.check_password(PASSWORD)
    assert person.must_change_password
    assert person.is_active_account
    assert ended == [person.id, person.id]
    actions = [entry.action for entry in services.account_history(person)]
    assert actions == ["password_reset", "account_reactivated", "account_deactivated"]


def test_a_unit_admin_manages_only_their_own_units_plain_participants(units):
    snv, stp = units
    admin = make_user(Role.UNIT_ADMIN, unit=snv)
    member, stranger = make_user(unit=snv), make_user(unit=stp)
    judge = make_user(Role.PARTICIPANT, Role.JUDGE, unit=snv)
    other_admin = make_user(Role.UNIT_ADMIN, Role.PARTICIPANT, unit=snv)
    assert admin.can_manage_password_of(member)
    assert not any(admin.can_manage_password_of(u) for u in (stranger, judge, other_admin, admin))


def test_unit_members_show_rounds_and_the_best_score_over_contests(units):
    snv, _ = units
    first, second = make_contest(), make_contest()
    played, idle = (
        make_user(unit=snv, full_name="A Người chơi"),
        make_user(unit=snv, full_name="B Chưa chơi"),
    )
    make_user(Role.UNIT_ADMIN, unit=snv)  # not a participant: not listed
    graded_round(first, played, 6, 100_000, NOW)
    graded_round(first, played, 7, 100_000, NOW + timedelta(hours=1))
    graded_round(second, played, 9, 100_000, NOW)
    lines, has_next = services.unit_members(snv)
    assert not has_next
    assert [(m.user.id, m.rounds, m.contests, m.best_correct) for m in lines] == [
        (played.id, 3, 2, 9),
        (idle.id, 0, 0, None),
    ]


def test_generated_passwords_are_kept_encrypted_and_given_once(units, organizer):
    result = services.import_accounts(
        services.AccountsFile(
            (
                services.check_account(
                    {"full_name": "Lê Bình", "phone": "0912000333", "unit_code": "SNV"}
                )[0],
            ),
            (),
            ((1, "SNV"),),
        )
    )
    token, key = services.hand_off_credentials(result, organizer, NOW)
    stored = services.db.session.get(CredentialHandoff, token)
    assert result.created[0].generated_password.encode() not in stored.ciphertext
    other = make_user(Role.ORGANIZER)
    assert services.take_credentials(token, key, other, NOW) is None
    assert services.take_credentials(token, "wrong-key", organizer, NOW) is None
    lines = services.take_credentials(token, key, organizer, NOW)
    assert lines == [[1, "Lê Bình", "0912000333", None, result.created[0].generated_password]]
    assert services.take_credentials(token, key, organizer, NOW) is None
    token, key = services.hand_off_credentials(result, organizer, NOW)
    assert services.take_credentials(token, key, organizer, NOW + timedelta(days=2)) is None


# Pages


def login(client, user) -> None:
    ApiClient(client).login(user)


@pytest.fixture
def people(units, organizer):
    snv, stp = units
    return {
        "organizer": organizer,
        "admin": make_user(Role.UNIT_ADMIN, unit=snv),
        "other_admin": make_user(Role.UNIT_ADMIN, unit=stp),
        "judge": make_user(Role.JUDGE),
        "participant": make_user(unit=snv, full_name="Nguyễn Thị Thành Viên"),
        "snv": snv,
        "stp": stp,
    }


ORGANIZER_PAGES = [
    "/organizer/people/",
    "/organizer/people/new",
    "/organizer/people/import",
    "/organizer/people/credentials",
    "/organizer/people/{participant}",
]


@pytest.mark.parametrize("path", ORGANIZER_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("organizer", 200), ("admin", 403), ("judge", 403), ("participant", 403), (None, 302)],
)
def test_organizer_pages_permission_grid(client, people, path, who, status):
    if who:
        login(client, people[who])
    response = client.get(path.format(participant=people["participant"].id))
    assert response.status_code == status
    if who is None:
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organizer", 200),
        ("admin", 200),
        ("other_admin", 403),
        ("judge", 403),
        ("participant", 403),
        (None, 302),
    ],
)
def test_unit_page_and_reset_permission_grid(client, people, who, status):
    if who:
        login(client, people[who])
    page = f"/organizer/people/unit/{people['snv'].id}"
    response = client.get(page)
    assert response.status_code == status
    if status == 200:
        assert "Nguyễn Thị Thành Viên" in response.get_data(as_text=True)
    target = people["participant"]
    token = form_token(client, "/")
    response = client.post(
        f"/organizer/people/{target.id}/reset-password", data={"csrf_token": token}
    )
    assert response.status_code == status
    if status == 200:
        assert target.must_change_password
        assert response.headers["Cache-Control"] == "no-store"


def test_a_unit_admin_cannot_reset_a_judge_or_another_admin_of_their_unit(client, people):
    login(client, people["admin"])
    judge = make_user(Role.PARTICIPANT, Role.JUDGE, unit=people["snv"])
    token = form_token(client, "/")
    for target in (judge, people["other_admin"], people["organizer"]):
        response = client.post(
            f"/organizer/people/{target.id}/reset-password", data={"csrf_token": token}
        )
        assert response.status_code == 403


def test_the_search_page_finds_without_diacritics(client, people):
    login(client, people["organizer"])
    html = client.get("/organizer/people/?q=nguyen+thi+thanh").get_data(as_text=True)
    assert "Nguyễn Thị Thành Viên" in html
    html = client.get("/organizer/people/?q=khong+co+ai").get_data(as_text=True)
    assert "Nguyễn Thị Thành Viên" not in html


def test_create_page_shows_a_generated_password_once(client, people, db_session):
    login(client, people["organizer"])
    data = {
        "csrf_token": form_token(client, "/organizer/people/new"),
        "full_name": "Võ Thị Mới",
        "phone": "0912 999 888",
        "unit_id": str(people["snv"].id),
        "roles": ["participant"],
    }
    response = client.post("/organizer/people/new", data=data)
    assert response.status_code == 200
    user = db_session.scalar(select(User).where(User.phone == "0912999888"))
    html = response.get_data(as_text=True)
    password = html.split('id="one-time-password">')[1].split("<")[0]
    assert user.check_password(password)
    assert user.must_change_password
    response = client.post("/organizer/people/new", data=data)  # the same phone again
    assert "Số điện thoại này đã được dùng cho một tài khoản khác" in response.get_data(
        as_text=True
    )


def test_edit_page_refuses_to_demote_oneself(client, people):
    organizer = people["organizer"]
    login(client, organizer)
    path = f"/organizer/people/{organizer.id}"
    data = {
        "csrf_token": form_token(client, path),
        "full_name": "Ban Tổ chức",
        "roles": ["judge"],
        "unit_id": "",
    }
    response = client.post(path, data=data, follow_redirects=True)
    assert Role.ORGANIZER in organizer.roles
    assert "của chính mình" in response.get_data(as_text=True)


def test_deactivation_page_logs_the_account_out(client, people, app):
    contest = make_contest()
    participant = people["participant"]
    other = app.test_client()
    login(other, participant)
    assert other.get(in_contest(contest, "/quiz/")).status_code == 200
    login(client, people["organizer"])
    path = f"/organizer/people/{participant.id}"
    client.post(path + "/deactivate", data={"csrf_token": form_token(client, path)})
    assert not participant.is_active_account
    # the user loader refuses a deactivated account
    assert other.get(in_contest(contest, "/quiz/")).status_code == 302


# Importing on the page


HEADER = "full_name,phone,unit_code,roles,password\n"


def upload(client, content: bytes, name: str):
    data = {
        "csrf_token": form_token(client, "/organizer/people/import"),
        "file": (io.BytesIO(content), name),
    }
    return client.post("/organizer/people/import", data=data, content_type="multipart/form-data")


def test_the_import_preview_shows_each_accounts_login(client, people):
    login(client, people["organizer"])
    content = (
        "full_name,phone,unit_code,username,roles\nLê Minh Quân,0912100009,SNV,qt-snv,unit_admin\n"
    )
    content = content.encode()
    html = client.get(upload(client, content, "a.csv").headers["Location"]).get_data(as_text=True)
    assert "<th>Tên đăng nhập</th>" in html
    assert "<td>qt-snv</td>" in html


def test_import_with_a_problem_previews_it_and_creates_nothing(client, people, db_session):
    login(client, people["organizer"])
    content = (HEADER + "Lê Văn Một,0912100001,SNV,,\nLê Văn Hai,0912100002,KHONGCO,,\n").encode()
    response = upload(client, content, "tài khoản.csv")
    preview = response.headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert "dòng 3" in html
    assert "Không có đơn vị nào có mã này" in html
    response = client.post(preview, data={"csrf_token": form_token(client, preview)})
    assert response.status_code == 302
    assert db_session.scalar(select(User).where(User.phone == "0912100001")) is None


def test_import_creates_all_and_gives_the_passwords_once_as_xlsx(client, people, db_session):
    login(client, people["organizer"])
    content = xlsx(
        ("full_name", "phone", "unit_code", "roles", "password"),
        ("Lê Văn Một", "0912100001", "SNV", "participant", None),
        ("Lê Văn Hai", "0912100002", "stp", "participant unit_admin", "mat-khau-hai"),
    )
    preview = upload(client, content, "tai-khoan.xlsx").headers["Location"]
    assert "Nhập 2 tài khoản" in client.get(preview).get_data(as_text=True)
    response = client.post(preview, data={"csrf_token": form_token(client, preview)})
    assert response.headers["Location"].endswith("/organizer/people/credentials")
    one = db_session.scalar(select(User).where(User.phone == "0912100001"))
    two = db_session.scalar(select(User).where(User.phone == "0912100002"))
    assert one.must_change_password
    assert not two.must_change_password
    assert two.roles == {Role.PARTICIPANT, Role.UNIT_ADMIN}
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor_id == people["organizer"].id)
    )
    assert sorted(actions) == ["account_created", "account_created", "accounts_imported"]

    token = form_token(client, "/organizer/people/credentials")
    response = client.post("/organizer/people/credentials", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][:3] == (2, "Lê Văn Một", "0912100001")
    assert one.check_password(rows[1][4])
    assert db_session.scalar(select(CredentialHandoff)) is None
    again = client.post("/organizer/people/credentials", data={"csrf_token": token})
    assert again.status_code == 302  # gone
    assert client.post(preview, data={"csrf_token": token}).status_code == 404  # the upload too


def test_an_account_with_a_username_and_no_phone_is_imported_as_on_the_add_page(
    client, people, db_session
):
    """The phone may be left out when the row gives a username (README, Importing accounts);
    a row with neither gets its own message, not the phone's."""
    login(client, people["organizer"])
    content = (
        "full_name,phone,unit_code,username,roles\nGiám Khảo Ba,,SNV,gk3,judge\nLê Văn Ba,,STP,,\n"
    ).encode()
    preview = upload(client, content, "tai-khoan.csv").headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert "dòng 3, cột phone: Hãy nhập số điện thoại hoặc tên đăng nhập" in html
    assert "dòng 2" not in html  # the judge's row, without a phone, is fine
    assert "Không phải số điện thoại Việt Nam" not in html

    content = "full_name,unit_code,username,roles\nGiám Khảo Ba,SNV,gk3,judge\n".encode()
    preview = upload(client, content, "giam-khao.csv").headers["Location"]
    assert "Nhập 1 tài khoản" in client.get(preview).get_data(as_text=True)
    response = client.post(preview, data={"csrf_token": form_token(client, preview)})
    assert response.status_code == 302
    judge = db_session.scalar(select(User).where(User.username == "gk3"))
    assert judge.phone is None
    assert judge.roles == {Role.JUDGE}


def test_a_file_with_neither_a_phone_nor_a_username_column_says_so(client, people):
    login(client, people["organizer"])
    content = "full_name,unit_code\nLê Văn Ba,STP\n".encode()
    html = client.get(upload(client, content, "a.csv").headers["Location"]).get_data(as_text=True)
    assert "Dòng tiêu đề cần có cột phone hoặc cột username" in html


# A one-time password must be changed


def test_a_reset_password_must_be_changed_before_anything_else(client, people):
    contest = make_contest()
    participant = people["participant"]
    password = services.reset_password(participant, people["organizer"], NOW)
    response = client.post(
        "/auth/login",
        data={
            "csrf_token": form_token(client, "/auth/login"),
            "login": participant.phone,
            "password": password,
        },
    )
    assert response.status_code == 302
    for path in ("/", in_contest(contest, "/quiz/"), in_contest(contest, "/results/leaderboard")):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/auth/password")
    assert client.get("/auth/password").status_code == 200
    api = ApiClient(client)
    response = api.get("/contest")
    assert response.status_code == 403
    assert response.get_json()["error"] == "password_change_required"
    data = {
        "csrf_token": form_token(client, "/auth/password"),
        "current_password": password,
        "new_password": "mat-khau-moi",
        "confirm": "mat-khau-moi",
    }
    assert client.post("/auth/password", data=data).status_code == 302
    assert not participant.must_change_password
    assert client.get(in_contest(contest, "/results/leaderboard")).status_code == 200
    assert api.get("/contest").status_code != 403


def test_the_api_login_with_a_one_time_password_is_held_too(client, people):
    participant = people["participant"]
    password = services.reset_password(participant, people["organizer"], NOW)
    api = ApiClient(client)
    response = api.post("/session", json={"login": participant.phone, "password": password})
    assert response.status_code == 200
    response = api.post("/attempts", json={})
    assert response.status_code == 403
    assert response.get_json()["error"] == "password_change_required"


# The command line


def test_create_organizer_from_the_command_line(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["accounts", "create-organizer", "--username", "btc", "--full-name", "Ban Tổ chức"],
        input="mat-khau-btc\nmat-khau-btc\n",
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.username == "btc"))
    assert user.roles == {Role.ORGANIZER}
    assert user.phone is None
    assert user.unit_id is None
    assert user.check_password("mat-khau-btc")
    assert not user.must_change_password
    assert "mat-khau-btc" not in result.output

    again = runner.invoke(
        args=[
            "accounts",
            "create-organizer",
            "--username",
            "BTC",
            "--full-name",
            "X Y",
            "--password",
            "123456",
        ]
    )
    assert again.exit_code == 1
    assert "Đã có tài khoản dùng tên đăng nhập này" in again.output

    generated = runner.invoke(
        args=[
            "accounts",
            "create-organizer",
            "--username",
            "btc2",
            "--full-name",
            "Trưởng ban",
            "--phone",
            "0912 555 666",
            "--generate-password",
        ]
    )
    assert generated.exit_code == 0, generated.output
    password = generated.output.rsplit(": ", 1)[1].strip()
    second = db_session.scalar(select(User).where(User.username == "btc2"))
    assert second.phone == "0912555666"
    assert second.check_password(password)
    assert second.must_change_password

    taken_phone = runner.invoke(
        args=[
            "accounts",
            "create-organizer",
            "--username",
            "btc3",
            "--full-name",
            "Ai Đó",
            "--phone",
            "+84912555666",
            "--password",
            "mat-khau-3",
        ]
    )
    assert taken_phone.exit_code == 1
    assert "số điện thoại" in taken_phone.output.lower()


def test_create_organizer_refuses_a_bad_username_or_a_short_password(app, db_session):
    runner = app.test_cli_runner()
    bad = runner.invoke(
        args=[
            "accounts",
            "create-organizer",
            "--username",
            "tên có dấu",
            "--full-name",
            "Ban Tổ chức",
            "--password",
            "123",
        ]
    )
    assert bad.exit_code == 1
    assert "tên đăng nhập" in bad.output.lower()
    assert "6 ký tự" in bad.output
