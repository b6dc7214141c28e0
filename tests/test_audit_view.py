"""The audit log reads in the site's language: labelled details, local times, amounts in dong."""

from datetime import UTC, datetime

import pytest

from contest.extensions import db
from contest.models import AuditEntry, Role
from contest.models.audit import record
from contest.organizer.audit_view import action_label, described_details
from tests.helpers import ApiClient, in_contest, make_contest, make_unit, make_user


@pytest.fixture
def vietnamese(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        yield


def entry(action, **details) -> AuditEntry:
    return AuditEntry(action=action, details=details)


def test_changes_read_before_and_after_in_local_time(vietnamese):
    windows = entry(
        "windows_changed",
        video_closes_at=["2026-10-16T10:00:00+00:00", "2026-10-23T10:00:00+00:00"],
        quiz_closes_at=["2026-10-15T17:00:00+00:00", "2026-10-16T00:00:00+07:00"],
        results_publish_at=[None, "2026-11-01T01:30:00+00:00"],
    )
    # A close reads as on every page that shows one: at local midnight, 24:00 of the day before.
    assert described_details(windows) == [
        ("Hết hạn nhận video", "17:00 ngày 16/10/2026 → 17:00 ngày 23/10/2026"),
        ("Đóng phần thi trắc nghiệm", "24:00 ngày 15/10/2026 → 24:00 ngày 15/10/2026"),
        ("Công bố kết quả", "— → 01/11/2026 08:30"),
    ]


def test_settings_and_rules_changes_read_yes_no_and_lists(vietnamese):
    settings = entry("video_settings_changed", judging_blind=[False, True])
    assert described_details(settings) == [("Ẩn tên đơn vị với giám khảo (chấm kín)", "không → có")]
    rules = entry("results_rules_changed", weights=[[30, 30, 40], [20, 40, 40]])
    assert described_details(rules) == [
        ("Trọng số: tham gia, trả lời đúng, video tốt nhất (%)", "30, 30, 40 → 20, 40, 40")
    ]


def test_amounts_show_in_dong_and_texts_stay_as_typed(vietnamese):
    approval = entry("results_approved", total_amount=61_000_000, remarks="2026-10-16 đã rà soát")
    assert described_details(approval) == [
        ("Tổng số tiền", "61.000.000 đ"),
        ("Nhận xét", "2026-10-16 đã rà soát"),
    ]
    assert action_label("results_approved") == "Phê duyệt kết quả"


def test_unknown_actions_and_details_show_as_stored(vietnamese):
    odd = entry("imported_by_hand", rows=12)
    assert action_label("imported_by_hand") == "imported_by_hand"
    assert described_details(odd) == [("rows", "12")]


def test_the_log_names_its_objects_and_says_when_it_is_empty(client, db_session):
    contest = make_contest(name="Hội thi trực tuyến CCHC 2026")
    unit = make_unit()
    organizer = make_user(Role.ORGANIZER, full_name="Lê Thị Tổ Chức")
    db.session.commit()
    ApiClient(client).login(organizer)
    empty = client.get(in_contest(contest, "/organizer/audit")).get_data(as_text=True)
    assert "Chưa có thao tác nào được ghi nhận." in empty
    now = datetime.now(UTC)
    record("identity_changed", organizer, contest.id, f"contest:{contest.id}", now)
    record("results_approved", organizer, contest.id, "snapshot:1", now)
    record("unit_changed", organizer, contest.id, f"unit:{unit.id}", now)
    record("unit_changed", organizer, contest.id, "unit:999999", now)  # since deleted
    record("odd", organizer, contest.id, "thing:7", now)
    db.session.commit()
    page = client.get(in_contest(contest, "/organizer/audit")).get_data(as_text=True)
    for name in (
        "Hội thi trực tuyến CCHC 2026",
        "Ảnh chụp kết quả số 1",
        unit.name,
        "Đơn vị số 999999",
        "thing:7",  # a kind the log does not know stays as stored
    ):
        assert f'<div class="small muted">{name}</div>' in page, name
    assert f"contest:{contest.id}" not in page
