"""Registration: a unit chosen on purpose (grouped list, empty first), closed registration, and
the limits per address and per unit that stop a flood from inflating a unit's participation."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from contest.auth.services import self_registration_is_open
from contest.models import Unit, UnitGroup, User
from tests.helpers import make_contest, make_unit

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)
UNIT_ERROR = "Vui lòng chọn đơn vị của bạn trong danh sách."
_phones = iter(range(10_000, 99_999))


@pytest.fixture
def units(db_session):
    """Two groups, the first with two units: (group 1's units, group 2's unit)."""
    first = UnitGroup(code="SO", name="Sở, ban, ngành", position=1)
    second = UnitGroup(code="HUYEN", name="UBND cấp huyện", position=2)
    snv = Unit(code="SNV", name="Sở Nội vụ", group=first, position=1)
    stp = Unit(code="STP", name="Sở Tư pháp", group=first, position=2)
    bt = Unit(code="BT", name="UBND huyện Ba Tơ", group=second, position=1)
    db_session.add_all([snv, stp, bt])
    db_session.flush()
    return snv, stp, bt


@pytest.fixture
def open_contest(db_session):
    return make_contest()


def register(client, unit_id, address="192.0.2.1", **overrides):
    environ = {"REMOTE_ADDR": address}
    html = client.get("/auth/register", environ_base=environ).get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    data = {
        "csrf_token": token,
        "full_name": "Nguyễn Văn Bình",
        "phone": f"0987{next(_phones):06d}",
        "unit_id": str(unit_id),
        "position": "Chuyên viên",
        "email": "",
        "password": "mat-khau-1",
        "confirm": "mat-khau-1",
    }
    data.update(overrides)
    return client.post("/auth/register", data=data, environ_base=environ)


def new_browser(app):
    return app.test_client()


def test_the_unit_list_starts_empty_and_keeps_its_groups(client, units, open_contest):
    page = client.get("/auth/register").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="unit_id"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert select.startswith('<option value="">— Chọn đơn vị —</option>')
    assert "selected" not in select  # the browser shows the first option: the empty one
    snv, stp, bt = units
    assert (
        f'<optgroup label="Sở, ban, ngành"><option value="{snv.id}">Sở Nội vụ</option>'
        f'<option value="{stp.id}">Sở Tư pháp</option></optgroup>'
    ) in select
    assert f'<optgroup label="UBND cấp huyện"><option value="{bt.id}">' in select


def test_the_filter_script_is_a_file_and_the_page_has_no_inline_script(client, units, open_contest):
    page = client.get("/auth/register").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts == [
        (' src="/static/app.js" defer', ""),
        (' src="/static/unit-filter.js" defer', ""),
    ]
    assert 'data-filter-label="Tìm đơn vị' in page
    script = client.get("/static/unit-filter.js")
    script.close()
    assert script.status_code == 200


@pytest.mark.parametrize("unit_id", ["", "0", "abc"])
def test_skipping_the_unit_is_an_error_never_the_first_unit(
    client, units, open_contest, db_session, unit_id
):
    before = db_session.query(User).count()
    response = register(client, unit_id, full_name="Lê Bỏ Qua")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<p class="error">{UNIT_ERROR}</p>' in page
    assert '<option selected value="">' in page  # still on the empty choice
    assert 'value="Lê Bỏ Qua"' in page
    assert db_session.query(User).count() == before


@pytest.mark.parametrize(
    ("windows", "allowed", "expected"),
    [
        ([], [], False),  # an empty site: nothing to register for
        ([(-DAY, DAY)], [True], True),  # open
        ([(DAY, 2 * DAY)], [True], True),  # to come
        ([(-2 * DAY, -DAY)], [True], False),  # past only
        ([(-DAY, DAY)], [False], False),  # open, imported accounts only
        ([(-DAY, DAY), (DAY, 2 * DAY)], [False, True], True),  # next year's allows it
        ([(-DAY, DAY), (-2 * DAY, -DAY)], [False, True], False),  # only a past one allows it
    ],
)
def test_self_registration_is_open_while_an_open_or_coming_contest_allows_it(
    db_session, windows, allowed, expected
):
    for (opens, closes), registration_open in zip(windows, allowed, strict=True):
        make_contest(
            quiz_opens_at=NOW + opens,
            quiz_closes_at=NOW + closes,
            registration_open=registration_open,
        )
    assert self_registration_is_open(NOW) is expected


def test_a_new_contest_allows_registration_by_default(db_session):
    assert make_contest().registration_open is True


def test_closed_registration_says_so_and_refuses_the_form(client, units, db_session):
    make_contest(registration_open=False)
    page = client.get("/auth/register")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Đã đóng đăng ký: chỉ các tài khoản do Ban Tổ chức nhập sẵn mới đăng nhập được." in text
    assert "<form" not in text.split("<main", 1)[1].split("</main>")[0]
    login_card = client.get("/auth/login").get_data(as_text=True).split('<section class="card')[1]
    assert 'href="/auth/register"' not in login_card

    before = db_session.query(User).count()
    refused = register(client, units[0].id)
    assert refused.status_code == 403
    assert "Đã đóng đăng ký" in refused.get_data(as_text=True)
    assert db_session.query(User).count() == before


def test_open_registration_is_linked_from_the_login_page(client, open_contest):
    login_card = client.get("/auth/login").get_data(as_text=True).split('<section class="card')[1]
    assert 'href="/auth/register"' in login_card


def test_the_default_limits_are_the_documented_ones(app):
    assert app.config["REGISTER_RATE_LIMIT_PER_ADDRESS"] == "30 per hour;200 per day"
    assert app.config["REGISTER_RATE_LIMIT_PER_UNIT"] == "20 per hour;100 per day"


def test_accounts_created_from_one_address_are_limited(
    app, units, open_contest, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT_PER_ADDRESS", "3 per hour")
    snv, stp, bt = units
    # Mistakes cost nothing: only accounts created count.
    for _ in range(5):
        assert register(new_browser(app), snv.id, confirm="khac").status_code == 200
    for unit in (snv, stp, bt):
        assert register(new_browser(app), unit.id).status_code == 302
    before = db_session.query(User).count()

    refused = register(new_browser(app), bt.id, full_name="Phạm Thị Chờ", position="Kế toán")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Có quá nhiều tài khoản vừa đăng ký từ mạng của bạn" in page
    # What was typed is kept, except the passwords.
    assert 'value="Phạm Thị Chờ"' in page
    assert 'value="Kế toán"' in page
    assert f'<option selected value="{bt.id}">' in page
    assert "mat-khau-1" not in page
    assert db_session.query(User).count() == before

    assert register(new_browser(app), bt.id, address="192.0.2.2").status_code == 302


def test_accounts_created_into_one_unit_are_limited(
    app, units, open_contest, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT_PER_UNIT", "2 per hour")
    snv, stp, _ = units
    for n in range(2):
        assert register(new_browser(app), snv.id, address=f"198.51.100.{n}").status_code == 302
    refused = register(new_browser(app), snv.id, address="198.51.100.9")
    assert refused.status_code == 429
    assert "Đơn vị này vừa có quá nhiều tài khoản đăng ký" in refused.get_data(as_text=True)
    assert db_session.query(User).filter_by(unit_id=snv.id).count() == 2
    # Another unit, from the same address, is not held up.
    assert register(new_browser(app), stp.id, address="198.51.100.9").status_code == 302


def test_a_taken_phone_does_not_count_against_the_unit(
    app, units, open_contest, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT_PER_UNIT", "1 per hour")
    snv = units[0]
    assert register(new_browser(app), snv.id, phone="0911222333").status_code == 302
    taken = register(new_browser(app), make_unit().id, phone="0911222333")
    assert taken.status_code == 200
    assert "Số điện thoại này đã được dùng cho một tài khoản khác." in taken.get_data(as_text=True)
    other = register(new_browser(app), units[1].id, phone="0911222333")  # into a second unit
    assert other.status_code == 200
    assert register(new_browser(app), units[1].id).status_code == 302  # its one, still free
    assert register(new_browser(app), snv.id).status_code == 429
