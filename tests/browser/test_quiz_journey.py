"""A civil servant on a phone: register, play a round at a person's pace through a reload and a
lost connection, and rank (the plausibility checks find nothing to flag)."""

import re

from sqlalchemy import select

from contest.extensions import db
from contest.models import RoundReview, Unit
from tests.browser.steps import IN_LIVE, contest_by_slug, log_in, shot
from tests.helpers import make_user

# A person reads before choosing, some questions longer than others: these questions and their
# choices are about 100 characters, read here at 20-50 a second (the plausibility floor reads
# 80 a second, plus a 0.3 s click; an even pace would be flagged as mechanically regular).
READING_MS = [2_200, 4_100, 2_600, 5_000, 3_100, 2_400, 4_600, 3_400, 2_800, 3_900]


def answer(page, index: int) -> None:
    """Read the index-th question, choose its first choice, wait until the server has it."""
    question = page.locator("li.question").nth(index)
    page.wait_for_timeout(READING_MS[index])
    question.locator("label.choice").first.click()
    question.locator(".save-status.status-saved").wait_for()


def test_register_play_reload_lose_connection_submit_and_rank(page, live_app):
    page.goto("/auth/register")
    page.fill("#full_name", "Trần Thị Thu Hà")
    page.fill("#phone", "0912 345 678")
    page.select_option("#unit_id", index=1)
    page.fill("#position", "Chuyên viên")
    page.fill("#password", "mat-khau-1")
    page.fill("#confirm", "mat-khau-1")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/quiz/$"))

    page.locator("a.button.primary[href$='/quiz/round']").click()
    page.locator("#start-button").click()
    page.locator("li.question").first.wait_for()
    assert page.locator("li.question").count() == 10
    assert re.fullmatch(r"\d\d:\d\d", page.locator("#countdown").inner_text())

    for index in range(3):
        answer(page, index)
    shot(page, "round-three-answers")

    page.reload()
    page.locator("li.question").first.wait_for()
    for index in range(3):
        assert page.locator("li.question").nth(index).locator("input:checked").count() == 1
    assert page.locator("li.question").nth(3).locator("input:checked").count() == 0
    assert page.locator("#progress-text").inner_text().startswith("3/10")

    page.context.set_offline(True)
    offline_question = page.locator("li.question").nth(3)
    page.wait_for_timeout(READING_MS[3])
    offline_question.locator("label.choice").first.click()
    offline_question.locator(".save-status.status-retrying").wait_for()
    assert page.locator("#offline-banner").is_visible()
    shot(page, "round-offline")
    page.context.set_offline(False)
    offline_question.locator(".save-status.status-saved").wait_for(timeout=20_000)

    for index in range(4, 10):
        answer(page, index)
    page.locator("#submit-button").click()
    page.locator("#confirm-submit").click()
    page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
    score = page.get_by_test_id("score").inner_text()
    assert re.fullmatch(r"Đúng \d+/10 câu", score), score
    assert page.get_by_test_id("round-standing").count() == 0  # a human pace: not flagged
    attempt_id = int(page.url.rsplit("/", 1)[1])
    with live_app.app_context():
        flagged = db.session.get(RoundReview, attempt_id)
        assert flagged is None, flagged.flags
    shot(page, "round-result")

    page.goto(f"{IN_LIVE}/results/leaderboard")
    board = page.get_by_test_id("leaderboard")
    assert "Trần Thị Thu Hà" in board.inner_text()
    assert board.locator("tr.me").count() == 1
    own = page.get_by_test_id("own-line")
    assert own.is_visible()
    assert re.search(r"Hạng\s+\d+", own.inner_text())
    assert re.search(r"\d+/10", own.inner_text())
    assert re.search(r"\d+,\d giây", own.inner_text())
    # No hidden horizontal scroll on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "leaderboard")


def test_round_submits_itself_when_the_time_runs_out(page, live_app):
    with live_app.app_context():
        contest = contest_by_slug()
        user = make_user(unit=db.session.scalars(select(Unit)).first())
        limit, contest.round_time_limit_seconds = contest.round_time_limit_seconds, 4
        phone = user.phone
        db.session.commit()
    try:
        log_in(page, phone)
        page.goto(f"{IN_LIVE}/quiz/round")
        page.locator("#start-button").click()
        page.locator("li.question").first.wait_for()
        answer(page, 0)
        page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"), timeout=20_000)
        assert page.get_by_test_id("score").is_visible()
        assert "4,0 giây" in page.content()  # the duration stops at the deadline
        assert page.get_by_test_id("time-up").inner_text() == "Hết giờ"
        shot(page, "round-result-time-up")
    finally:
        with live_app.app_context():
            contest_by_slug().round_time_limit_seconds = limit
            db.session.commit()
