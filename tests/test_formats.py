"""Local formats: dd/mm/yyyy HH:MM in the contest's zone, 10.000.000 đ, m:ss,mmm."""

from datetime import UTC, datetime

import pytest

from contest.i18n import (
    format_duration_ms,
    format_local_date,
    format_local_datetime,
    format_money,
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
    [(0, "0:00,000"), (83_456, "1:23,456"), (600_000, "10:00,000"), (None, "")],
)
def test_round_durations(milliseconds, shown):
    assert format_duration_ms(milliseconds) == shown
