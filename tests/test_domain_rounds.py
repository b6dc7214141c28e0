from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from contest.domain import rounds

START = datetime(2021, 9, 15, 0, 0, tzinfo=UTC)
DEADLINE = START + timedelta(minutes=10)
KEY = {1: 11, 2: 21, 3: 31}


def saved(choice_id: int, at: datetime) -> rounds.SavedAnswer:
    return rounds.SavedAnswer(choice_id, at)


def test_deadline_is_start_plus_limit():
    assert rounds.round_deadline(START, 600) == DEADLINE


def test_answers_accepted_up_to_and_including_the_deadline():
    assert rounds.accepts_answers(DEADLINE, DEADLINE)
    assert not rounds.accepts_answers(DEADLINE, DEADLINE + timedelta(microseconds=1))


def test_overdue_only_after_deadline_plus_grace():
    assert not rounds.is_overdue(DEADLINE, 5, DEADLINE + timedelta(seconds=5))
    assert rounds.is_overdue(DEADLINE, 5, DEADLINE + timedelta(seconds=5, microseconds=1))
    assert rounds.is_overdue(DEADLINE, 0, DEADLINE + timedelta(microseconds=1))


def test_grading_counts_only_correct_answers_to_served_questions():
    answers = {
        1: saved(11, START + timedelta(seconds=5)),  # correct
        2: saved(22, START + timedelta(seconds=6)),  # wrong
        9: saved(91, START + timedelta(seconds=7)),  # not in the round
    }
    grade = rounds.grade_round(START, DEADLINE, START + timedelta(seconds=42), KEY, answers)
    assert grade.correct_count == 1
    assert grade.question_count == 3
    assert grade.duration_ms == 42_000


def test_answers_saved_after_the_deadline_do_not_count():
    answers = {
        1: saved(11, DEADLINE),
        2: saved(21, DEADLINE + timedelta(milliseconds=1)),
    }
    grade = rounds.grade_round(START, DEADLINE, DEADLINE + timedelta(seconds=3), KEY, answers)
    assert grade.correct_count == 1


def test_late_submission_finishes_at_the_deadline():
    grade = rounds.grade_round(START, DEADLINE, DEADLINE + timedelta(hours=2), KEY, {})
    assert grade.finished_at == DEADLINE
    assert grade.duration_ms == 600_000


@given(st.integers(min_value=0, max_value=10**9))
def test_duration_is_whole_milliseconds(microseconds):
    finished = START + timedelta(microseconds=microseconds)
    assert rounds.duration_ms(START, finished) == microseconds // 1000


def test_duration_never_negative():
    assert rounds.duration_ms(START, START - timedelta(seconds=1)) == 0


@given(
    used_total=st.integers(0, 20),
    used_today=st.integers(0, 20),
    max_total=st.none() | st.integers(0, 20),
    max_per_day=st.none() | st.integers(0, 20),
)
def test_allowance_is_the_tightest_limit(used_total, used_today, max_total, max_per_day):
    allowance = rounds.attempt_allowance(used_total, used_today, max_total, max_per_day)
    if max_total is None and max_per_day is None:
        assert allowance.left is None
        assert not allowance.exhausted
        return
    expected = min(
        limit
        for limit in (
            None if max_total is None else max_total - used_total,
            None if max_per_day is None else max_per_day - used_today,
        )
        if limit is not None
    )
    assert allowance.left == max(0, expected)
    assert allowance.exhausted == (expected <= 0)


def test_local_day_is_the_contest_day_not_the_utc_day():
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    # 18:30 UTC on 14/09 is already 01:30 on 15/09 in Viet Nam.
    start, end = rounds.local_day_bounds(datetime(2021, 9, 14, 18, 30, tzinfo=UTC), zone)
    assert start == datetime(2021, 9, 14, 17, 0, tzinfo=UTC)
    assert end == datetime(2021, 9, 15, 17, 0, tzinfo=UTC)


def test_a_round_started_near_the_close_ends_at_the_close():
    closes = START + timedelta(minutes=3)
    assert rounds.round_deadline(START, 600, closes) == closes
    assert rounds.round_deadline(START, 600, START + timedelta(hours=1)) == DEADLINE


@given(
    limit=st.integers(min_value=1, max_value=7200),
    close_after=st.integers(min_value=-7200, max_value=7200),
    deadline_after=st.integers(min_value=0, max_value=7200),
    now_after=st.integers(min_value=0, max_value=7200),
)
def test_a_refitted_deadline_never_takes_back_accepted_time(
    limit, close_after, deadline_after, now_after
):
    closes = START + timedelta(seconds=close_after)
    current = START + timedelta(seconds=min(deadline_after, limit))  # as a round's can be
    now = START + timedelta(seconds=now_after)
    deadline = rounds.refitted_deadline(START, limit, closes, current, now)
    # answers accepted until now (and by the current deadline) keep counting
    assert deadline >= min(now, current)
    # nothing is extended past the time limit, nor past the time the round already had
    assert deadline <= max(START + timedelta(seconds=limit), min(now, current))
    if now <= closes:
        assert deadline == min(START + timedelta(seconds=limit), closes)


@given(
    used_total=st.integers(0, 20),
    used_today=st.integers(0, 20),
    max_total=st.none() | st.integers(0, 20),
    max_per_day=st.none() | st.integers(0, 20),
)
def test_a_spent_allowance_names_the_limit_that_came_back_never_or_tomorrow(
    used_total, used_today, max_total, max_per_day
):
    allowance = rounds.attempt_allowance(used_total, used_today, max_total, max_per_day)
    if not allowance.exhausted:
        assert allowance.spent_limit is None
    elif max_total is not None and used_total >= max_total:
        assert allowance.spent_limit == "total"
    else:
        assert allowance.spent_limit == "day"
        assert max_per_day is not None
        assert used_today >= max_per_day


def test_a_new_round_comes_with_the_next_day_while_the_quiz_is_open():
    day_end = datetime(2021, 9, 15, 17, 0, tzinfo=UTC)
    spent_today = rounds.attempt_allowance(5, 5, None, 5)
    assert rounds.next_round_at(spent_today, day_end, day_end + timedelta(days=3)) == day_end
    assert rounds.next_round_at(spent_today, day_end, day_end) is None  # the quiz closes first
    spent_for_good = rounds.attempt_allowance(10, 2, 10, 5)
    assert rounds.next_round_at(spent_for_good, day_end, day_end + timedelta(days=3)) is None
