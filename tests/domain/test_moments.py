"""Dates and times as organizers write them (contest/domain/moments.py): dd/mm/yyyy HH:MM,
24:00 as the end of a day, and a close at midnight written back the plan's way."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.moments import (
    closing_parts,
    day_text,
    moment_text,
    parse_day,
    parse_moment,
)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in the contest's zone (the module's values carry no zone)."""
    return datetime.combine(date(year, month, day), time(hour, minute))


minutes = st.datetimes(min_value=wall(1900, 1, 2), max_value=wall(2999, 12, 30)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/10/2021 07:00", wall(2021, 10, 15, 7, 0)),
        ("15/10/2021 24:00", wall(2021, 10, 16, 0, 0)),  # the end of the 15th
        ("31/12/2021 24:00", wall(2022, 1, 1, 0, 0)),
        ("28/02/2024 24:00", wall(2024, 2, 29, 0, 0)),  # a leap year
        ("5/1/2027 7:30", wall(2027, 1, 5, 7, 30)),
        ("05-01-2027 07:30", wall(2027, 1, 5, 7, 30)),
        ("05.01.2027 07h30", wall(2027, 1, 5, 7, 30)),
        ("  05/01/2027   07:30 ", wall(2027, 1, 5, 7, 30)),
        ("05/01/2027 lúc 07:30", wall(2027, 1, 5, 7, 30)),
        ("24:00 ngày 04/01/2027", wall(2027, 1, 5, 0, 0)),  # as the plan writes it
        ("０５/０１/２０２７ ０７:３０", wall(2027, 1, 5, 7, 30)),  # full-width digits
        ("2027-01-05T07:30", wall(2027, 1, 5, 7, 30)),  # a datetime-local's value
        ("2027-01-05 07:30", wall(2027, 1, 5, 7, 30)),
    ],
)
def test_the_ways_organizers_write_a_moment_are_read(text, expected):
    assert parse_moment(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "05/01/2027",  # a day without its time: which end of it?
        "07:30",
        "31/02/2027 07:00",
        "05/13/2027 07:00",  # the US order is not guessed
        "05/01/2027 24:01",
        "05/01/2027 25:00",
        "05/01/2027 07:60",
        "05/01/27 07:00",
        "05/01/0999 07:00",
        "1/1/2027 7:00" + " " * 40 + "x",
        "hôm nay",
        "٠٥/٠١/٢٠٢٧ ٠٧:٣٠",  # Arabic-Indic digits
    ],
)
def test_what_is_not_a_day_and_a_time_is_refused(text):
    with pytest.raises(ValueError, match="not a date and time|out of range|must be in"):
        parse_moment(text)


@given(minutes)
def test_a_moment_written_back_reads_the_same(moment):
    assert parse_moment(moment_text(moment)) == moment
    assert parse_moment(moment_text(moment, closing=True)) == moment


@given(minutes)
def test_a_close_at_midnight_is_24_00_of_the_day_before_and_no_other_close_changes(moment):
    on, clock = closing_parts(moment)
    if moment.time() == time(0, 0):
        assert (on, clock) == (moment.date() - timedelta(days=1), "24:00")
        assert moment_text(moment, closing=True) == f"{day_text(on)} 24:00"
    else:
        assert (on, clock) == (moment.date(), moment.strftime("%H:%M"))
        assert moment_text(moment, closing=True) == moment_text(moment)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_a_day_written_back_reads_the_same(day):
    assert parse_day(day_text(day)) == day
    assert parse_day(day.isoformat()) == day  # what a date input or a script posts


@pytest.mark.parametrize(
    "text", ["", "32/01/2027", "01/01/27", "2027-1-1x", "x", "05/01/2027 07:00"]
)
def test_what_is_not_a_day_is_refused(text):
    with pytest.raises(ValueError, match="not a date|out of range|must be in"):
        parse_day(text)


def test_the_examples_of_the_brief_read_as_the_seed_writes_them():
    assert moment_text(wall(2027, 1, 5, 0, 0), closing=True) == "04/01/2027 24:00"
    assert moment_text(wall(2027, 1, 5, 0, 0)) == "05/01/2027 00:00"
