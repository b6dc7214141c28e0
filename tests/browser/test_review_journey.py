"""The organizers review a flagged round: the approval waits for it, the queue shows its evidence,
the round is excluded with a reason, and the leaderboard and the provisional prizes follow."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from contest.domain.prizes import INDIVIDUAL
from contest.extensions import db
from contest.models import PrizeTierRow, Role
from tests.browser.conftest import make_live_app, serving
from tests.browser.steps import desktop_page, log_in, shot
from tests.helpers import flagged_round, graded_round, make_contest, make_unit, make_user

CLOSED = "hoi-thi-xem-xet"
SHARER = "Phạm Văn Dùng Chung"


@pytest.fixture(scope="module")
def reviewed_contest(tmp_path_factory):
    """A contest closed an hour ago: twelve participants of their own units (10 down to 0
    right), and one whose all-correct round came from a browser three accounts played on:
    flagged, ranked first while it waits for review."""
    app = make_live_app(tmp_path_factory.mktemp("review"))
    with app.app_context():
        now = datetime.now(UTC)
        contest = make_contest(
            now - timedelta(days=10), quiz_closes_at=now - timedelta(hours=1), slug=CLOSED
        )
        # Individual prizes only: no unit tie to decide before the approval.
        contest.prize_table = [
            PrizeTierRow(
                category=INDIVIDUAL, name="Giải cá nhân", prize_count=10, amount=500_000, position=0
            )
        ]
        finished = now - timedelta(days=2)
        for n in range(12):
            person = make_user(unit=make_unit(), full_name=f"Người dự thi {n + 1:02d}")
            graded_round(contest, person, max(0, 10 - n), 90_000 + 1_000 * n, finished)
        sharer = make_user(unit=make_unit(), full_name=SHARER)
        flagged_round(contest, sharer, 10, 45_000, finished, held=False)
        organizer = make_user(Role.ORGANIZER, full_name="Ban Tổ chức")
        db.session.commit()
        phone = organizer.phone
    with serving(app) as url:
        yield url, phone


def test_an_organizer_excludes_a_flagged_round_and_the_prizes_follow(browser, reviewed_contest):
    url, phone = reviewed_contest
    with desktop_page(browser, url) as page:
        log_in(page, phone)
        page.goto(f"/contests/{CLOSED}/results/leaderboard")
        board = page.get_by_test_id("leaderboard")
        assert SHARER in board.locator("tbody tr").first.inner_text()
        page.goto(f"/contests/{CLOSED}/results/standings")
        assert SHARER in page.locator("main").inner_text()  # in the provisional prizes

        page.locator("form[action$='/results/workflow/approve'] button").click()
        page.wait_for_url(re.compile(r"/results/standings$"))
        assert "bị đánh dấu" in page.locator(".flash-error").first.inner_text()

        page.goto(f"/contests/{CLOSED}/organizer/review/")
        card = page.get_by_test_id("flagged-round")
        assert card.count() == 1
        assert SHARER in card.inner_text()
        assert card.get_by_test_id("would-be-place").inner_text() == "1"
        card.locator("summary").click()
        assert card.locator("table tbody tr").count() == 1  # the timeline per question
        shot(page, "review-queue")
        card.locator("input[value=exclude_round]").check()
        card.locator("textarea").fill("Ba tài khoản thi trên cùng một trình duyệt")
        card.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/organizer/review/\?status=undecided&page=1$"))
        assert page.get_by_test_id("queue-empty").is_visible()
        page.get_by_test_id("queue-statuses").get_by_role("link", name="Đã loại (1)").click()
        page.wait_for_url(re.compile(r"status=excluded"))
        assert (
            "Ba tài khoản thi trên cùng một trình duyệt"
            in page.get_by_test_id("decided-round").inner_text()
        )
        page.select_option("#flag", "too_fast")  # sends its form: none of that flag
        page.wait_for_url(re.compile(r"flag=too_fast"))
        assert page.get_by_test_id("decided-round").count() == 0
        assert "Đã loại (0)" in page.get_by_test_id("queue-statuses").inner_text()

        page.goto(f"/contests/{CLOSED}/results/leaderboard")
        board = page.get_by_test_id("leaderboard").inner_text()
        assert SHARER not in board
        assert (
            "Người dự thi 01"
            in page.get_by_test_id("leaderboard").locator("tbody tr").first.inner_text()
        )
        page.goto(f"/contests/{CLOSED}/results/standings")
        assert SHARER not in page.locator("main").inner_text()
        page.locator("form[action$='/results/workflow/approve'] button").click()
        page.wait_for_url(re.compile(r"/results/standings$"))
        assert page.locator(".flash-error").count() == 0  # approved now
        shot(page, "review-standings-approved")

        page.goto(f"/contests/{CLOSED}/organizer/audit")
        log = page.locator("main").inner_text()
        assert "Quyết định về lượt thi bị đánh dấu" in log
        assert "Ba tài khoản thi trên cùng một trình duyệt" in log
