"""The pace limit: at most N rounds started per participant in any hour, from the database."""

from datetime import UTC, datetime, timedelta

import pytest

from contest.models import Contest
from tests.helpers import (
    graded_round,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)

# 10:00:30 in Asia/Ho_Chi_Minh: the next start after a pace refusal is given to the minute.
T0 = datetime(2021, 9, 20, 3, 0, 30, tzinfo=UTC)


@pytest.fixture
def contest(db_session, frozen_clock):
    frozen_clock.now = T0
    make_questions(40)
    return make_contest(T0, max_starts_per_hour=2)


@pytest.fixture
def participant(db_session):
    return make_user(unit=make_unit())


@pytest.fixture
def playing(api, contest, participant):
    api.login(participant)
    return api


def play(api, path: str) -> dict:
    response = api.post(path)
    assert response.status_code == 201, response.get_json()
    attempt = response.get_json()
    assert api.post(f"/attempts/{attempt['id']}/submit").status_code == 200
    return attempt


def test_the_third_start_in_an_hour_is_429_with_the_time_of_the_next(
    playing, contest, frozen_clock
):
    play(playing, in_contest(contest, "/attempts"))
    frozen_clock.advance(minutes=10)
    play(playing, in_contest(contest, "/attempts"))
    frozen_clock.advance(minutes=10)
    refused = playing.post(in_contest(contest, "/attempts"))
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["error"] == "pace_limited"
    assert body["next_start_at"] == "2021-09-20T04:01:00.000Z"  # 10:00:30 + 1 h, to the minute
    assert body["message"] == (
        "Mỗi giờ chỉ được bắt đầu tối đa 2 lượt thi: lượt tiếp theo của bạn được bắt đầu "
        "từ 20/09/2021 11:01."
    )
    assert refused.headers["Retry-After"] == str(40 * 60 + 30)
    frozen_clock.now = T0 + timedelta(hours=1) - timedelta(microseconds=1)
    assert playing.post(in_contest(contest, "/attempts")).status_code == 429
    frozen_clock.now = T0 + timedelta(hours=1)  # the first start leaves the hour
    play(playing, in_contest(contest, "/attempts"))


def test_the_deprecated_start_route_keeps_the_pace_too(playing, contest, frozen_clock):
    for _ in range(2):
        play(playing, "/attempts")
    refused = playing.post("/attempts")
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "pace_limited"


def test_rounds_stored_by_any_worker_count_not_a_counter(playing, contest, participant):
    """The limit reads the participant's rounds from the database: a round another worker
    (or this one before a restart) started counts the same."""
    for minutes in (50, 20):
        graded_round(contest, participant, 5, 60_000, T0 - timedelta(minutes=minutes))
    refused = playing.post(in_contest(contest, "/attempts"))
    assert refused.status_code == 429
    # The older round started 51 minutes before T0 (it lasted a minute).
    assert refused.get_json()["next_start_at"] == "2021-09-20T03:10:00.000Z"


def test_rounds_of_another_contest_or_participant_do_not_count(
    playing, contest, participant, db_session
):
    other = make_contest(T0, max_starts_per_hour=2)
    colleague = make_user(unit=participant.unit)
    for minutes in (30, 20):
        graded_round(other, participant, 5, 60_000, T0 - timedelta(minutes=minutes))
        graded_round(contest, colleague, 5, 60_000, T0 - timedelta(minutes=minutes))
    play(playing, in_contest(contest, "/attempts"))


def test_no_pace_limit_when_the_setting_is_empty(playing, contest):
    contest.max_starts_per_hour = None
    for _ in range(5):
        play(playing, in_contest(contest, "/attempts"))


def test_a_new_contest_has_the_default_pace_limit(db_session):
    contest = Contest(slug="moi", name="Mới", quiz_opens_at=T0, quiz_closes_at=T0)
    db_session.add(contest)
    db_session.flush()
    assert contest.max_starts_per_hour == 6


def test_the_quiz_page_says_when_the_next_round_may_start_instead_of_the_button(
    client, playing, contest, frozen_clock
):
    page = client.get(in_contest(contest, "/quiz/")).get_data(as_text=True)
    assert "Mỗi giờ được bắt đầu tối đa 2 lượt thi." in page
    assert "/quiz/round" in page
    for _ in range(2):
        play(playing, in_contest(contest, "/attempts"))
    page = client.get(in_contest(contest, "/quiz/")).get_data(as_text=True)
    assert 'data-testid="pace-limited"' in page
    assert "lượt tiếp theo của bạn được bắt đầu từ 20/09/2021 11:01" in page
    assert "Bắt đầu lượt thi" not in page


def test_a_contest_created_without_a_pace_limit_keeps_none(db_session):
    """An explicit None (a copy of a contest without one) is no limit, not the default."""
    contest = Contest(
        slug="khong-gioi-han",
        name="Mới",
        quiz_opens_at=T0,
        quiz_closes_at=T0,
        max_starts_per_hour=None,
    )
    db_session.add(contest)
    db_session.flush()
    db_session.expire(contest)
    assert contest.max_starts_per_hour is None
