"""The participant's pages as users expect them (issue 16, items 1-5): the round limit told before
the button, "Hết giờ" on a round that ran out of time, and durations never rounded up."""

from datetime import UTC, datetime, timedelta

import pytest

from contest.models import AttemptState
from tests.helpers import ApiClient, graded_round, in_contest, make_contest, make_unit, make_user

# 10:00 on 04/12/2026 in Viet Nam.
NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


@pytest.fixture
def now(frozen_clock):
    frozen_clock.now = NOW
    return NOW


def played(contest, user, rounds: int, finished_at: datetime) -> None:
    for n in range(rounds):
        graded_round(contest, user, 5, 40_000 + n, finished_at - timedelta(minutes=n))


def test_a_spent_daily_limit_disables_the_button_and_says_when_rounds_return(
    client, db_session, now
):
    contest = make_contest(now, max_attempts_per_day=5)
    user = make_user(unit=make_unit())
    played(contest, user, 5, now - timedelta(minutes=5))
    ApiClient(client).login(user)

    for path in ("/quiz/", "/quiz/round"):
        page = client.get(in_contest(contest, path)).get_data(as_text=True)
        assert "Bạn đã dùng hết 5 lượt hôm nay; lượt mới từ 00:00 ngày 05/12." in page
        assert "disabled" in page.split('data-testid="round-limit"')[1].split("</section>")[0]


def test_a_spent_total_limit_says_it_is_for_the_whole_contest(client, db_session, now):
    contest = make_contest(now, max_attempts_total=3, max_attempts_per_day=5)
    user = make_user(unit=make_unit())
    played(contest, user, 3, now - timedelta(minutes=5))
    ApiClient(client).login(user)

    page = client.get(in_contest(contest, "/quiz/")).get_data(as_text=True)
    assert "Bạn đã dùng hết 3 lượt thi của hội thi này." in page
    assert "lượt mới từ" not in page


def test_no_new_day_is_promised_when_the_quiz_closes_first(client, db_session, now):
    contest = make_contest(now, max_attempts_per_day=2, quiz_closes_at=now + timedelta(hours=3))
    user = make_user(unit=make_unit())
    played(contest, user, 2, now - timedelta(minutes=5))
    ApiClient(client).login(user)

    page = client.get(in_contest(contest, "/quiz/")).get_data(as_text=True)
    assert "phần thi trắc nghiệm kết thúc trước khi sang ngày mới" in page


def test_rounds_left_are_told_with_the_limits_before_the_button(client, db_session, now):
    contest = make_contest(now, max_attempts_per_day=5, max_attempts_total=20)
    user = make_user(unit=make_unit())
    played(contest, user, 2, now - timedelta(minutes=5))
    ApiClient(client).login(user)

    page = client.get(in_contest(contest, "/quiz/")).get_data(as_text=True)
    told = page.split('data-testid="round-limit"')[1]
    assert told.index("Tối đa 5 lượt thi mỗi ngày") < told.index("Bắt đầu")
    assert "Tối đa 20 lượt" in told
    assert "disabled" not in told.split("</section>")[0]


def test_a_short_round_is_not_announced_as_a_minute(client, db_session, now):
    contest = make_contest(now, round_time_limit_seconds=45)
    user = make_user(unit=make_unit())
    ApiClient(client).login(user)

    assert "10 câu hỏi, 45 giây." in client.get(in_contest(contest, "/quiz/round")).get_data(
        as_text=True
    )
    assert "Mỗi lượt thi có 45 giây" in client.get(in_contest(contest, "/")).get_data(as_text=True)


@pytest.mark.parametrize(
    ("state", "finished_late", "time_up"),
    [
        (AttemptState.EXPIRED, True, True),  # graded by the server
        (AttemptState.SUBMITTED, True, True),  # sent by the page when the countdown hit zero
        (AttemptState.SUBMITTED, False, False),
    ],
)
def test_a_round_that_ran_out_of_time_says_so(
    client, db_session, now, state, finished_late, time_up
):
    contest = make_contest(now)
    user = make_user(unit=make_unit())
    attempt = graded_round(contest, user, 6, 54_321, now - timedelta(minutes=1), state=state)
    if finished_late:
        attempt.deadline_at = attempt.finished_at
    ApiClient(client).login(user)

    page = client.get(in_contest(contest, f"/quiz/attempts/{attempt.id}")).get_data(as_text=True)
    assert ("Hết giờ" in page) is time_up
    assert "54,3 giây" in page


def test_the_home_counts_down_to_the_close_while_the_quiz_is_open(client, db_session, now):
    contest = make_contest(now, quiz_closes_at=now + timedelta(days=3, hours=4, minutes=12))
    page = client.get(in_contest(contest, "/")).get_data(as_text=True)
    assert "Còn 3 ngày 4 giờ 12 phút là hết thời gian thi" in page
    assert 'data-countdown-to="' in page
    assert "Vào thi" in page


def test_a_closed_quiz_offers_no_quiz_and_says_when_results_come(client, db_session, now):
    contest = make_contest(
        now - timedelta(days=40),
        quiz_closes_at=now - timedelta(days=1),
        results_publish_at=now + timedelta(days=10),
    )
    page = client.get(in_contest(contest, "/")).get_data(as_text=True)
    assert "Vào thi" not in page
    assert "Kết quả sẽ được công bố chậm nhất vào 14/12/2026 10:00." in page


def test_public_pages_carry_no_phone_number(client, db_session, now):
    contest = make_contest(now)
    user = make_user(unit=make_unit())
    graded_round(contest, user, 7, 54_321, now - timedelta(minutes=5))
    for path in ("/", "/results/leaderboard"):
        page = client.get(in_contest(contest, path)).get_data(as_text=True)
        assert user.full_name in page or path == "/"
        assert user.phone not in page
