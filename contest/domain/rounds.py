"""The clock and the grading of one round; every instant comes from the server."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo


def round_deadline(
    started_at: datetime, time_limit_seconds: int, quiz_closes_at: datetime | None = None
) -> datetime:
    """The instant a round started at `started_at` stops accepting answers: at its time limit,
    or when the quiz window closes if that comes first (entries close on time)."""
    limit = started_at + timedelta(seconds=time_limit_seconds)
    return limit if quiz_closes_at is None else min(limit, quiz_closes_at)


def refitted_deadline(
    started_at: datetime,
    time_limit_seconds: int,
    quiz_closes_at: datetime,
    deadline_at: datetime,
    now: datetime,
) -> datetime:
    """A running round's deadline after the quiz close moved to `quiz_closes_at`.

    round_deadline again, but never before what the round has already had of its current
    `deadline_at` by `now`: an answer accepted before the move keeps counting.
    """
    return max(
        round_deadline(started_at, time_limit_seconds, quiz_closes_at), min(now, deadline_at)
    )


def accepts_answers(deadline_at: datetime, now: datetime) -> bool:
    """Whether an answer received at `now` is in time (the deadline itself still counts)."""
    return now <= deadline_at


def is_overdue(deadline_at: datetime, grace_seconds: int, now: datetime) -> bool:
    """Whether a round still open at `now` must be graded without waiting for its participant.

    The grace covers a submission sent at zero that is still on its way; past it, the server
    grades the round with what was saved.
    """
    return now > deadline_at + timedelta(seconds=grace_seconds)


def finish_instant(deadline_at: datetime, received_at: datetime) -> datetime:
    """When a round counts as finished: its submission's receipt, or its deadline if earlier."""
    return min(received_at, deadline_at)


def duration_ms(started_at: datetime, finished_at: datetime) -> int:
    """The time a round took, in whole milliseconds (never negative)."""
    delta = finished_at - started_at
    milliseconds = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return max(0, milliseconds)


@dataclass(frozen=True)
class SavedAnswer:
    """A saved answer: the chosen choice and when the server received it."""

    choice_id: int
    saved_at: datetime


@dataclass(frozen=True)
class Grade:
    """The outcome of a round."""

    correct_count: int
    question_count: int
    finished_at: datetime
    duration_ms: int


def grade_round(
    started_at: datetime,
    deadline_at: datetime,
    received_at: datetime,
    answer_key: Mapping[int, int],
    saved: Mapping[int, SavedAnswer],
) -> Grade:
    """Grade a round: `answer_key` maps each served question to its correct choice.

    Only answers saved by the deadline count; answers to questions not in the round are
    ignored. The round finishes at the submission's receipt or the deadline, whichever is first.
    """
    correct = sum(
        1
        for question_id, answer in saved.items()
        if question_id in answer_key
        and answer.saved_at <= deadline_at
        and answer.choice_id == answer_key[question_id]
    )
    finished_at = finish_instant(deadline_at, received_at)
    return Grade(
        correct_count=correct,
        question_count=len(answer_key),
        finished_at=finished_at,
        duration_ms=duration_ms(started_at, finished_at),
    )


@dataclass(frozen=True)
class Allowance:
    """How many rounds a participant has played and may still start (None: no limit).

    `spent_limit` names the limit used up when none is left: "total" when the contest's own
    limit is reached (it never comes back), else "day" (a new day brings new rounds).
    """

    used_total: int
    used_today: int
    left: int | None
    spent_limit: str | None = None

    @property
    def exhausted(self) -> bool:
        return self.left is not None and self.left <= 0


def attempt_allowance(
    used_total: int, used_today: int, max_total: int | None, max_per_day: int | None
) -> Allowance:
    """Rounds left under the contest's limits: per contest, per day, or both (None: no limit)."""
    limits = []
    if max_total is not None:
        limits.append(max_total - used_total)
    if max_per_day is not None:
        limits.append(max_per_day - used_today)
    left = max(0, min(limits)) if limits else None
    spent_limit = None
    if left == 0:
        spent_limit = "total" if max_total is not None and used_total >= max_total else "day"
    return Allowance(
        used_total=used_total, used_today=used_today, left=left, spent_limit=spent_limit
    )


def next_round_at(
    allowance: Allowance, day_end: datetime, quiz_closes_at: datetime
) -> datetime | None:
    """When a participant without rounds left gets a new one: the next local day when only the
    daily limit is spent and the quiz is still open then; None when no round comes back."""
    if allowance.spent_limit == "day" and day_end < quiz_closes_at:
        return day_end
    return None


def local_day_bounds(now: datetime, timezone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants that start and end the contest's local calendar day containing `now`."""
    local = now.astimezone(timezone)
    start = datetime.combine(local.date(), time.min, tzinfo=timezone)
    end = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=timezone)
    return start.astimezone(UTC), end.astimezone(UTC)
