"""The audit log reads in the site's language: labelled details, local times, amounts in dong."""

import pytest

from contest.models import AuditEntry
from contest.organizer.audit_view import action_label, described_details


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
        results_publish_at=[None, "2026-11-01T01:30:00+00:00"],
    )
    assert described_details(windows) == [
        ("Hết hạn nhận video", "16/10/2026 17:00 → 23/10/2026 17:00"),
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
