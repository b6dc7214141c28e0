"""Organizers' date and time fields (issue 16, item 9): dd/mm/yyyy HH:MM whatever the browser's
locale, typed in Vietnam time and stored in UTC, 24:00 read as the end of a day, and a close at
local midnight shown as the plan writes it ("24:00 ngày 04/01/2027") wherever a close is shown."""

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contest.extensions import db
from contest.models import AuditEntry, Role
from tests.helpers import ApiClient, form_token, in_contest, make_contest, make_user

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
WINDOWS = "/organizer/windows"


def local_midnight(days_from_today: int) -> datetime:
    """Local midnight `days_from_today` days ahead, as an aware UTC moment."""
    today = datetime.now(ZONE).date() + timedelta(days=days_from_today)
    return datetime(today.year, today.month, today.day, tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
def organizer_on(client, db_session):
    now = datetime.now(UTC)
    contest = make_contest(
        now,
        quiz_opens_at=now - timedelta(days=1),
        quiz_closes_at=local_midnight(10),
        video_opens_at=now - timedelta(days=1),
        video_closes_at=local_midnight(12),
    )
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)
    return contest


def fields_of(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(\w+_at)"[^>]*value="([^"]*)"', page)
    }


def post_windows(client, contest, **changes):
    page = client.get(in_contest(contest, WINDOWS)).get_data(as_text=True)
    data = {"csrf_token": form_token(client, in_contest(contest, WINDOWS)), **fields_of(page)}
    return client.post(in_contest(contest, WINDOWS), data=data | changes)


def day_of(moment: datetime, days: int = 0) -> str:
    return (moment.astimezone(ZONE) + timedelta(days=days)).strftime("%d/%m/%Y")


def test_the_windows_are_text_fields_in_dd_mm_yyyy_and_a_close_at_midnight_reads_24_00(
    client, organizer_on
):
    contest = organizer_on
    page = client.get(in_contest(contest, WINDOWS)).get_data(as_text=True)
    assert 'type="datetime-local"' not in page  # its display follows the browser's locale
    inputs = re.findall(r'<input[^>]*name="quiz_closes_at"[^>]*>', page)
    assert len(inputs) == 1
    assert 'type="text"' in inputs[0]
    assert 'placeholder="dd/mm/yyyy HH:MM"' in inputs[0]
    shown = fields_of(page)
    assert shown["quiz_closes_at"] == f"{day_of(contest.quiz_closes_at, -1)} 24:00"
    assert shown["video_closes_at"] == f"{day_of(contest.video_closes_at, -1)} 24:00"
    opens = contest.quiz_opens_at.astimezone(ZONE)
    assert shown["quiz_opens_at"] == opens.strftime("%d/%m/%Y %H:%M")
    assert "24:00 là hết ngày đó" in page  # the field says how to write a close


def test_24_00_is_the_end_of_that_day_typed_in_vietnam_time_and_stored_in_utc(client, organizer_on):
    contest = organizer_on
    response = post_windows(client, contest, quiz_closes_at="04/01/2099 24:00")
    assert response.status_code == 302
    db.session.refresh(contest)
    assert contest.quiz_closes_at == datetime(2099, 1, 4, 17, 0, tzinfo=UTC)  # 00:00 on the 5th
    page = client.get(in_contest(contest, WINDOWS)).get_data(as_text=True)
    assert fields_of(page)["quiz_closes_at"] == "04/01/2099 24:00"

    response = post_windows(client, contest, quiz_closes_at="05/01/2099 07:30")
    assert response.status_code == 302
    db.session.refresh(contest)
    assert contest.quiz_closes_at == datetime(2099, 1, 5, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "typed", ["31/02/2099 07:00", "04/01/2099", "01/13/2099 07:00", "04/01/2099 24:30", "mai"]
)
def test_a_bad_date_is_refused_with_a_vietnamese_message_and_kept_in_the_field(
    client, organizer_on, typed
):
    contest = organizer_on
    before = contest.quiz_closes_at
    response = post_windows(client, contest, quiz_closes_at=typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM, ví dụ 15/10/2021 24:00." in page
    assert fields_of(page)["quiz_closes_at"] == typed  # what was typed, to correct it
    assert 'aria-invalid="true"' in page
    db.session.refresh(contest)
    assert contest.quiz_closes_at == before


def test_an_empty_required_time_is_refused_and_an_optional_one_cleared(client, organizer_on):
    contest = organizer_on
    refused = post_windows(client, contest, quiz_opens_at="  ")
    assert refused.status_code == 200
    assert "Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM" in refused.get_data(as_text=True)
    assert post_windows(client, contest, results_publish_at="").status_code == 302
    db.session.refresh(contest)
    assert contest.results_publish_at is None


def test_a_close_at_midnight_reads_24_00_on_every_page_that_shows_it(client, organizer_on):
    contest = organizer_on
    close = f"24:00 ngày {day_of(contest.quiz_closes_at, -1)}"
    video_close = f"24:00 ngày {day_of(contest.video_closes_at, -1)}"
    opens = contest.quiz_opens_at.astimezone(ZONE).strftime("%H:%M ngày %d/%m/%Y")
    home = client.get("/").get_data(as_text=True)
    assert f"{opens} – {close}" in home
    public = client.get(in_contest(contest, "/")).get_data(as_text=True)
    assert f"Phần thi trắc nghiệm mở đến {close}" in public
    assert video_close in public
    dashboard = client.get(in_contest(contest, "/organizer/")).get_data(as_text=True)
    assert close in dashboard
    assert video_close in dashboard
    assert close in client.get("/organizer/").get_data(as_text=True)
    assert close in client.get(in_contest(contest, "/organizer/settings/")).get_data(as_text=True)
    for shown in (home, public, dashboard):  # never the next day at 00:00
        assert f"{day_of(contest.quiz_closes_at)} 00:00" not in shown


def test_the_audit_log_shows_a_moved_close_as_the_plan_writes_it(client, organizer_on):
    contest = organizer_on
    assert post_windows(client, contest, quiz_closes_at="04/01/2099 24:00").status_code == 302
    entry = db.session.query(AuditEntry).filter_by(contest_id=contest.id).one()
    moved_to = datetime.fromisoformat(entry.details["quiz_closes_at"][1])
    assert moved_to == datetime(2099, 1, 4, 17, 0, tzinfo=UTC)
    audit = client.get(in_contest(contest, "/organizer/audit")).get_data(as_text=True)
    assert "→ 24:00 ngày 04/01/2099" in audit


def test_a_legal_document_date_is_dd_mm_yyyy_too(client, organizer_on):
    page = client.get("/organizer/questions/documents").get_data(as_text=True)
    assert 'type="date"' not in page
    assert 'placeholder="dd/mm/yyyy"' in page
