"""The round page on a phone (issue 16, item 1): the question grid, the warning at one minute
left, the confirmation before submitting early, the offline banner in view, the menu aside."""

import re

from sqlalchemy import select

from contest.extensions import db
from contest.models import Answer, Attempt, RoundReview, ServedQuestion, Unit
from tests.browser.steps import IN_LIVE, contest_by_slug, log_in, shot
from tests.helpers import make_user


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844


def shown_positions(live_app, user_id: int) -> set[int]:
    """The positions of the questions of the user's last round the server has as shown."""
    with live_app.app_context():
        attempt_id = db.session.scalar(
            select(Attempt.id).where(Attempt.user_id == user_id).order_by(Attempt.id.desc())
        )
        return set(
            db.session.scalars(
                select(ServedQuestion.position).where(
                    ServedQuestion.attempt_id == attempt_id, ServedQuestion.shown_at.is_not(None)
                )
            )
        )


def wait_for_shown(page, live_app, user_id: int, position: int) -> set[int]:
    for _ in range(50):
        shown = shown_positions(live_app, user_id)
        if position in shown:
            return shown
        page.wait_for_timeout(100)
    raise AssertionError(f"question {position} never reported shown: {shown}")


def test_grid_warning_offline_banner_and_confirmation(page, live_app):
    with live_app.app_context():
        contest = contest_by_slug()
        user = make_user(unit=db.session.scalars(select(Unit)).first())
        # 64 seconds: the one-minute warning comes a few seconds into the round.
        limit, contest.round_time_limit_seconds = contest.round_time_limit_seconds, 64
        phone, user_id = user.phone, user.id
        db.session.commit()
    try:
        log_in(page, phone)
        page.goto(f"{IN_LIVE}/quiz/round")
        assert "64 giây" not in page.locator("#start-info").inner_text()  # 1 phút 04 giây
        assert "1 phút 04 giây" in page.locator("#start-info").inner_text()
        page.locator("#start-button").click()
        page.locator("li.question").first.wait_for()
        assert not page.locator(".topbar .menu").is_visible()  # the menu steps aside
        # Only what reached the screen is reported shown: the first question, not the last.
        first_screen = wait_for_shown(page, live_app, user_id, 1)
        assert 10 not in first_screen
        assert 7 not in first_screen

        cells = page.locator("#question-grid .grid-cell")
        assert cells.count() == 10
        assert page.locator("#question-grid .grid-cell.answered").count() == 0
        question = page.locator("li.question").nth(0)
        question.locator("label.choice").first.click()
        question.locator(".save-status.status-saved").wait_for()
        assert "answered" in (cells.nth(0).get_attribute("class") or "")
        assert cells.nth(0).get_attribute("aria-label") == "Câu 1, đã trả lời"
        assert cells.nth(1).get_attribute("aria-label") == "Câu 2, chưa trả lời"

        cells.nth(6).click()  # to question 7, just below the sticky bar
        bar = page.locator(".round-bar").bounding_box()
        seventh = page.locator("li.question").nth(6).bounding_box()
        assert bar["y"] + bar["height"] <= seventh["y"] <= bar["y"] + bar["height"] + 40
        assert in_view(page, "#question-grid")
        assert 10 not in wait_for_shown(page, live_app, user_id, 7)  # brought by the grid

        warning = page.get_by_test_id("time-warning")
        warning.wait_for(timeout=15_000)
        assert "Còn 1 phút" in warning.inner_text()
        assert page.locator("#time-announcer").inner_text() == warning.inner_text()
        assert "urgent" in (page.locator("#countdown").get_attribute("class") or "")
        shot(page, "round-grid-one-minute")

        page.context.set_offline(True)
        last = page.locator("li.question").nth(9)
        last.scroll_into_view_if_needed()
        last.locator("label.choice").first.click()
        last.locator(".save-status.status-retrying").wait_for()
        # Offline, the report of question 10 waits in the queue with its answer.
        queued = page.evaluate(
            "Object.keys(localStorage).filter((k) => k.startsWith('round-shown-'))"
            ".map((k) => JSON.parse(localStorage.getItem(k)))"
        )
        assert len(queued) == 1
        assert len(queued[0]) >= 1
        assert 10 not in shown_positions(live_app, user_id)
        assert in_view(page, "#offline-banner")  # sticky with the bar, even at the bottom
        shot(page, "round-offline-at-the-bottom")
        page.context.set_offline(False)
        last.locator(".save-status.status-saved").wait_for(timeout=20_000)

        for index in range(1, 9):
            item = page.locator("li.question").nth(index)
            item.locator("label.choice").first.click()
            item.locator(".save-status.status-saved").wait_for()
        assert page.locator("#question-grid .grid-cell.answered").count() == 10

        page.locator("#submit-button").click()  # all answered, time left: asked once more
        confirm = page.get_by_test_id("submit-confirm")
        assert confirm.is_visible()
        assert "Bạn vẫn còn" in confirm.inner_text()
        assert "chưa trả lời" not in confirm.inner_text()
        shot(page, "round-confirm-submit")
        page.locator("#confirm-cancel").click()
        assert not confirm.is_visible()
        assert "/quiz/round" in page.url

        page.locator("#submit-button").click()
        page.locator("#confirm-submit").click()
        page.wait_for_url(re.compile(r"/quiz/attempts/\d+$"))
        assert page.get_by_test_id("time-up").count() == 0
        assert re.search(r"\d+,\d giây", page.content())
        with live_app.app_context():  # every answer's question was reported shown before it
            attempt = db.session.scalar(
                select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id.desc())
            )
            saved = dict(
                db.session.execute(
                    select(Answer.question_id, Answer.first_saved_at).where(
                        Answer.attempt_id == attempt.id
                    )
                ).all()
            )
            shown = {sq.question_id: sq.shown_at for sq in attempt.served}
            assert len(saved) == 10
            assert all(shown[question] <= at for question, at in saved.items())
            review = db.session.get(RoundReview, attempt.id)
            assert review is None or "unshown_answers" not in review.flags
            assert (
                page.evaluate(
                    "Object.keys(localStorage).filter((k) => k.startsWith('round-')).length"
                )
                == 0
            )
    finally:
        with live_app.app_context():
            contest_by_slug().round_time_limit_seconds = limit
            db.session.commit()
