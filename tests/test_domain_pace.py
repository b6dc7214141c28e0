"""The pace limit's sliding hour, without an app."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contest.domain.pace import PACE_WINDOW, most_starts, next_start_allowed_at

T0 = datetime(2021, 9, 15, 7, 0, tzinfo=UTC)
offsets = st.lists(st.integers(min_value=0, max_value=4 * 3600), max_size=30)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_no_limit_always_allows():
    assert next_start_allowed_at([T0] * 100, None, T0) is None


def test_below_the_limit_allows_now():
    assert next_start_allowed_at([at(0), at(60)], 3, at(120)) is None


def test_at_the_limit_the_next_start_waits_for_the_oldest_to_leave_the_hour():
    starts = [at(0), at(600), at(1200)]
    assert next_start_allowed_at(starts, 3, at(1800)) == at(3600)
    # The oldest start, exactly one hour ago, no longer counts.
    assert next_start_allowed_at(starts, 3, at(3600)) is None


def test_older_starts_do_not_count():
    starts = [at(0), at(10), at(4000)]
    assert next_start_allowed_at(starts, 2, at(4100)) is None


def test_most_starts_counts_the_hours_begun():
    assert most_starts(timedelta(hours=2), 6) == 12
    assert most_starts(timedelta(hours=2, seconds=1), 6) == 18
    assert most_starts(timedelta(0), 6) == 0
    assert most_starts(timedelta(days=31), None) is None


@given(offsets, st.integers(min_value=1, max_value=8), st.integers(min_value=0, max_value=14400))
def test_the_time_given_is_the_first_allowed(starts, limit, now_offset):
    now = at(now_offset)
    started = [at(s) for s in starts if at(s) <= now]
    allowed_at = next_start_allowed_at(started, limit, now)
    if allowed_at is None:
        assert len([s for s in started if s > now - PACE_WINDOW]) < limit
        return
    assert allowed_at > now
    assert next_start_allowed_at(started, limit, allowed_at) is None
    assert next_start_allowed_at(started, limit, allowed_at - timedelta(microseconds=1))


@given(
    st.lists(st.integers(min_value=0, max_value=600), min_size=1, max_size=200),
    st.integers(min_value=1, max_value=8),
)
def test_a_participant_who_obeys_never_starts_more_than_the_limit_in_any_hour(gaps, limit):
    """Whatever the pace of the attempts, the starts allowed keep the rule and the bound."""
    now, started = T0, []
    for gap in gaps:
        now += timedelta(seconds=gap)
        if next_start_allowed_at(started, limit, now) is None:
            started.append(now)
    for start in started:
        in_hour = [s for s in started if start <= s < start + PACE_WINDOW]
        assert len(in_hour) <= limit
    assert len(started) <= most_starts(now - T0 + timedelta(microseconds=1), limit)
