"""Local formats: dd/mm/yyyy HH:MM in the contest's zone, 10.000.000 đ, 54,3 giây."""

from datetime import UTC, datetime

import pytest

from contest.i18n import (
    format_duration_ms,
    format_local_date,
    format_local_datetime,
    format_money,
    format_time_limit,
)


def test_dates_show_in_the_contest_zone(app):
    with app.app_context():
        # 24:00 on 15/10/2021 in Viet Nam is 17:00 UTC.
        assert (
            format_local_datetime(datetime(2021, 10, 15, 17, 0, tzinfo=UTC)) == "16/10/2021 00:00"
        )
        assert format_local_datetime(datetime(2021, 9, 15, 0, 0, tzinfo=UTC)) == "15/09/2021 07:00"
        assert format_local_datetime(None) == ""
        assert format_local_date(datetime(2021, 10, 15, 17, 0, tzinfo=UTC)) == "16/10/2021"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (10_000_000, "10.000.000 đ"),
        (500_000, "500.000 đ"),
        (61_000_000, "61.000.000 đ"),
        (0, "0 đ"),
    ],
)
def test_money_in_dong(amount, shown):
    assert format_money(amount) == shown


@pytest.mark.parametrize(
    ("milliseconds", "shown"),
    [
        (0, "0,0 giây"),
        (54_321, "54,3 giây"),
        (59_999, "59,9 giây"),  # cut, not rounded up to a minute
        (65_000, "1 phút 05,0 giây"),
        (83_456, "1 phút 23,4 giây"),
        (600_000, "10 phút 00,0 giây"),
        (None, ""),
    ],
)
def test_round_durations(app, milliseconds, shown):
    with app.test_request_context():
        assert format_duration_ms(milliseconds) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(30, "30 giây"), (59, "59 giây"), (60, "1 phút"), (90, "1 phút 30 giây"), (600, "10 phút")],
)
def test_time_limits_under_a_minute_are_not_rounded(app, seconds, shown):
    with app.test_request_context():
        assert format_time_limit(seconds) == shown
