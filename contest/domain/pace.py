"""The pace limit: how many rounds one participant may start in any hour.

It comes on top of the attempt limits (per contest, per day): a person plays a round in
minutes and rarely wants more than a few in an hour, while a script harvesting the bank or
hunting a faster time starts one after another. The rule is a sliding hour, counted from the
participant's own rounds (the database rows), so it holds across web workers and restarts.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

PACE_WINDOW = timedelta(hours=1)


def next_start_allowed_at(
    started_at: Iterable[datetime], max_per_hour: int | None, now: datetime
) -> datetime | None:
    """When the participant may start another round: None if at `now`, else the instant.

    At most `max_per_hour` rounds may start in any hour: with that many started in the hour
    up to `now` (a start exactly one hour ago no longer counts), the next may start one hour
    after the oldest of the last `max_per_hour` starts. None for `max_per_hour`: no limit.
    """
    if max_per_hour is None:
        return None
    recent = sorted(start for start in started_at if start > now - PACE_WINDOW)
    if len(recent) < max_per_hour:
        return None
    return recent[-max_per_hour] + PACE_WINDOW


@dataclass(frozen=True)
class PaceAllowance:
    """Where a participant stands against the pace limit at a moment (max_per_hour None: no
    limit, and then left and next_start_at are None too)."""

    max_per_hour: int | None
    started_in_hour: int  # rounds started in the hour up to the moment
    left: int | None  # rounds that may still start now
    next_start_at: datetime | None  # when a start is allowed again (None: now)


def pace_allowance(
    started_at: Iterable[datetime], max_per_hour: int | None, now: datetime
) -> PaceAllowance:
    """The participant's standing against the pace limit at `now` (see next_start_allowed_at)."""
    started_at = list(started_at)
    started = sum(1 for start in started_at if start > now - PACE_WINDOW)
    if max_per_hour is None:
        return PaceAllowance(None, started, None, None)
    return PaceAllowance(
        max_per_hour,
        started,
        max(0, max_per_hour - started),
        next_start_allowed_at(started_at, max_per_hour, now),
    )


def most_starts(length: timedelta, max_per_hour: int | None) -> int | None:
    """The most rounds the pace limit lets one participant start in a window of `length`
    (bursts of `max_per_hour` at the start of each hour begun); None: no limit."""
    if max_per_hour is None:
        return None
    hours_begun = -(-length // PACE_WINDOW) if length > timedelta(0) else 0
    return max_per_hour * hours_begun
