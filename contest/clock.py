"""The server's clock and the contest's local time zone: the only source of `now` for views."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def local_zone() -> ZoneInfo:
    """The time zone dates are shown in and days are counted in (TIMEZONE)."""
    return ZoneInfo(current_app.config["TIMEZONE"])
