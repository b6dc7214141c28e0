"""The organizers close a contest: the results the scheduler computed at the close, a tie at a
prize boundary decided, approval, publication, the workbook and the certificates; then a
visitor reads the published prize list on a phone."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from contest import scheduler as scheduling
from contest.extensions import db
from contest.models import Role
from contest.results.standings import compute_standings
from tests.browser.conftest import make_live_app, serving
from tests.browser.steps import contest_by_slug, desktop_page, log_in, shot
from tests.helpers import graded_round, make_contest, make_unit, make_user

CLOSED = "hoi-thi-cchc"


@pytest.fixture(scope="module")
def closed_contest(tmp_path_factory):
    """A contest closed an hour ago: eleven units whose one participant each got 10 down to 0
    right, and a twelfth unit's participant tied with the tenth individual place."""
    app = make_live_app(tmp_path_factory.mktemp("closed"))
    with app.app_context():
        now = datetime.now(UTC)
        contest = make_contest(
            now - timedelta(days=10),
            quiz_closes_at=now - timedelta(hours=1),
            name="Hội thi CCHC",
            slug=CLOSED,
        )
        finished = now - timedelta(days=2)
        units = [make_unit(headcount=20) for _ in range(11)] + [make_unit(headcount=40)]
        for n, unit in enumerate(units[:11]):
            person = make_user(unit=unit, full_name=f"Người dự thi {n + 1:02d}")
            graded_round(contest, person, 10 - n, 60_000 + 1_000 * n, finished)
        twin = make_user(unit=units[11], full_name="Lê Thị Đồng Hạng")
        graded_round(contest, twin, 1, 60_000 + 1_000 * 9, finished)
        organizer = make_user(Role.ORGANIZER, full_name="Ban Tổ chức")
        db.session.commit()
        phone = organizer.phone
    assert scheduling.run_job_as(app, "journey:1", "compute_results_at_close") == 1
    with serving(app) as url:
        yield app, url, phone


def test_organizers_decide_a_tie_approve_publish_and_print(browser, closed_contest):
    app, url, phone = closed_contest
    with desktop_page(browser, url) as page:
        log_in(page, phone)
        page.wait_for_url(re.compile(r"/organizer/$"))

        page.goto(f"/contests/{CLOSED}/results/standings")
        body = page.locator("main").inner_text()
        assert "Tạm thời" in body
        assert "Lúc đóng cổng" in body
        assert "12 người dự thi" in body
        tie = page.locator("form[action*='/results/ties/']")
        assert tie.count() == 1
        assert "Lê Thị Đồng Hạng" in tie.inner_text()
        shot(page, "results-standings-tie")
        tie.locator("input[name=reason]").fill("Bốc thăm công khai tại cuộc họp Ban Tổ chức")
        tie.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/results/standings$"))
        assert page.locator("form[action*='/results/ties/']").count() == 0

        page.fill("#remarks", "Tổ Thư ký đã rà soát")
        page.locator("form[action$='/results/workflow/approve'] button").click()
        page.wait_for_url(re.compile(r"/results/standings$"))
        page.locator("form[action$='/results/workflow/publish'] button").click()
        page.wait_for_url(re.compile(r"/results/standings$"))
        assert "Đã công bố" in page.locator("main").inner_text()
        shot(page, "results-standings-published")

        with app.app_context():
            awards = compute_standings(contest_by_slug(CLOSED)).prizes.awards
        workbook = load_workbook(
            io.BytesIO(page.request.get(f"/contests/{CLOSED}/results/exports/all.xlsx").body())
        )
        about = list(workbook["Thông tin"].values)
        assert about[0] == ("Hội thi", "Hội thi CCHC")
        assert about[1][1].startswith("Đã phê duyệt lúc")
        prizes = list(workbook["Giải thưởng"].values)
        assert prizes[-1][-1] == sum(award.amount for award in awards)

        certificates = page.request.get(
            page.get_attribute("a[href$='/results/certificates.pdf']", "href")
        )
        assert certificates.headers["content-type"] == "application/pdf"
        pdf = PdfReader(io.BytesIO(certificates.body()))
        assert len(pdf.pages) == len(awards)
        assert "GIẤY CHỨNG NHẬN" in pdf.pages[0].extract_text()

        page.goto(f"/contests/{CLOSED}/organizer/audit")
        log = page.locator("main").inner_text()
        for action in ("Kết quả được tính lúc đóng cổng", "Công bố kết quả"):
            assert action in log
        assert "Bộ lập lịch (tự động)" in log
        shot(page, "results-audit-log")

    visitor = browser.new_context(
        base_url=url, locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    phone_page = visitor.new_page()
    try:
        # The contest's home now leads to the results, not to the quiz.
        phone_page.goto(f"/contests/{CLOSED}/")
        links = phone_page.get_by_test_id("result-links")
        assert links.is_visible()
        assert links.locator("a").all_inner_texts() == [
            "Giải thưởng",
            "Xếp hạng cá nhân",
            "Xếp hạng đơn vị",
            "Xếp hạng video",
        ]
        assert "Vào thi" not in phone_page.locator("main").inner_text()
        shot(phone_page, "contest-home-published-phone")
        for path in ("results/individuals", "results/videos", "results/prizes"):
            phone_page.goto(f"/contests/{CLOSED}/{path}")
            # No hidden horizontal scroll: every table fits the phone's width.
            assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, path
        amount = phone_page.locator("td.nowrap", has_text="10.000.000 đ").first
        assert amount.bounding_box()["height"] < 40  # on one line
        published = phone_page.locator("main").inner_text()
        # The tie was decided in the order the form proposed: the tenth place goes first.
        assert "Người dự thi 10" in published
        assert "Lê Thị Đồng Hạng" not in published
        assert "Người dự thi 01" in published
        shot(phone_page, "results-public-prizes-phone")
    finally:
        visitor.close()
