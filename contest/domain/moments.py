"""Dates and times as Vietnamese organizers write them: dd/mm/yyyy HH:MM, and 24:00 for a close.

A plan says a contest "closes 24:00 15/10/2021": the end of that day, the same instant as 00:00
on the 16th. Both are read, and a close at local midnight is written back the plan's way, so the
organizer sees the day they meant. Values here are naive wall-clock times in the contest's zone;
the caller attaches the zone (no Flask, no database).
"""

import re
import unicodedata
from datetime import date, datetime, time, timedelta

DAY_FORMAT = "dd/mm/yyyy"
MOMENT_FORMAT = "dd/mm/yyyy HH:MM"

# [0-9], not \d: other scripts' digits are turned into ASCII by NFKC or refused.
_DAY = r"([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{4})"
_TIME = r"([0-9]{1,2})\s*[:hH]\s*([0-9]{2})"
# "15/10/2021 24:00", "15/10/2021 lúc 07:00", "24:00 ngày 15/10/2021", "07h00 15/10/2021".
_DAY_THEN_TIME = re.compile(rf"{_DAY}\s*(?:,|lúc)?\s*{_TIME}", re.IGNORECASE)
_TIME_THEN_DAY = re.compile(rf"{_TIME}\s*(?:,|ngày)?\s*{_DAY}", re.IGNORECASE)
# What a datetime-local field, a script or an older form posts: 2021-10-15T24:00, 2021-10-15 07:00.
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T\s]([0-9]{2}):([0-9]{2})(?::00)?")
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MAX_LENGTH = 40  # longer is never a date anyone typed


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).strip()


def _day(day: str, month: str, year: str) -> date:
    if not 1900 <= int(year) <= 2999:
        raise ValueError("year out of range")
    return date(int(year), int(month), int(day))  # ValueError on 31/02


def _moment(on: date, hour: str, minute: str) -> datetime:
    hours, minutes = int(hour), int(minute)
    if hours == 24 and minutes == 0:  # the end of that day
        return datetime.combine(on, time(0, 0)) + timedelta(days=1)
    return datetime.combine(on, time(hours, minutes))  # ValueError past 23:59


def parse_moment(text: str) -> datetime:
    """The wall-clock time `text` writes ("15/10/2021 24:00" is 16/10/2021 00:00); ValueError
    if it is not a day and a time."""
    text = _normal(text)
    if not text or len(text) > _MAX_LENGTH:
        raise ValueError("not a date and time")
    if match := _DAY_THEN_TIME.fullmatch(text):
        day, month, year, hour, minute = match.groups()
    elif match := _TIME_THEN_DAY.fullmatch(text):
        hour, minute, day, month, year = match.groups()
    elif match := _ISO.fullmatch(text):
        year, month, day, hour, minute = match.groups()
    else:
        raise ValueError("not a date and time")
    return _moment(_day(day, month, year), hour, minute)


def parse_day(text: str) -> date:
    """The day `text` writes: "15/10/2021", "15-10-2021", "2021-10-15"; ValueError otherwise."""
    text = _normal(text)
    if not text or len(text) > _MAX_LENGTH:
        raise ValueError("not a date")
    if match := re.fullmatch(_DAY, text):
        return _day(*match.groups())
    if match := _ISO_DAY.fullmatch(text):
        year, month, day = match.groups()
        return _day(day, month, year)
    raise ValueError("not a date")


def closing_parts(moment: datetime) -> tuple[date, str]:
    """A close's day and time as a plan writes them: local midnight is 24:00 of the day before."""
    if moment.time() == time(0, 0):
        return moment.date() - timedelta(days=1), "24:00"
    return moment.date(), moment.strftime("%H:%M")


def moment_text(moment: datetime, closing: bool = False) -> str:
    """dd/mm/yyyy HH:MM, the form's format; a close at midnight reads "15/10/2021 24:00"."""
    on, clock = closing_parts(moment) if closing else (moment.date(), moment.strftime("%H:%M"))
    return f"{day_text(on)} {clock}"


def day_text(on: date) -> str:
    """dd/mm/yyyy (years before 1000 padded, as strftime does not on every platform)."""
    return f"{on.day:02d}/{on.month:02d}/{on.year:04d}"
