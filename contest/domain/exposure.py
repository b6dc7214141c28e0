"""The exposure budget: how much of the bank one participant can see before the close.

A round shows its questions; the key of what one saw can be shared once the round is over,
if not by the platform then by a participant who noted their answers and their score. So
the bank's real protection is its size against what one account can see:

    rounds allowed = the smallest of: the limit in all; the daily limit x the local days the
                     quiz window touches; the pace limit x the hours the window has begun
                     (None when none of them is set: unlimited)
    seen of a topic  <= min(questions of the topic, rounds allowed x its share of a round)

where a topic's share of a round is its quota, or, for a topic without one, the places the
quotas leave free. The total is also bounded by rounds x questions per round, by the topics
without a quota together, and in the same way by the difficulty quotas. Rounds draw unseen
questions first (contest.domain.drawing), so one participant reaches these bounds; they are
upper bounds, exact when the rules have no quotas.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from contest.domain.drawing import DrawRules, PoolQuestion
from contest.domain.pace import most_starts


@dataclass(frozen=True)
class RoundsAllowed:
    """The most rounds one participant may play in the quiz window, and what bounds it."""

    by_total: int | None  # the limit in all
    by_days: int | None  # the daily limit x the days of the window
    by_pace: int | None  # the pace limit x the hours of the window
    days: int
    hours: int

    @property
    def count(self) -> int | None:
        """The smallest bound; None: unlimited."""
        bounds = [n for n in (self.by_total, self.by_days, self.by_pace) if n is not None]
        return min(bounds) if bounds else None


def local_days_touched(opens_at: datetime, closes_at: datetime, zone: tzinfo) -> int:
    """How many local calendar days the window [opens_at, closes_at) touches: each brings
    a new daily allowance."""
    if closes_at <= opens_at:
        return 0
    last = (closes_at - timedelta(microseconds=1)).astimezone(zone).date()
    return (last - opens_at.astimezone(zone).date()).days + 1


def rounds_allowed(
    opens_at: datetime,
    closes_at: datetime,
    zone: tzinfo,
    max_total: int | None,
    max_per_day: int | None,
    max_per_hour: int | None,
) -> RoundsAllowed:
    """The most rounds one participant may play between `opens_at` and `closes_at`."""
    days = local_days_touched(opens_at, closes_at, zone)
    length = max(closes_at - opens_at, timedelta(0))
    return RoundsAllowed(
        by_total=max_total,
        by_days=None if max_per_day is None else max_per_day * days,
        by_pace=most_starts(length, max_per_hour),
        days=days,
        hours=-(-length // timedelta(hours=1)),
    )


@dataclass(frozen=True)
class GroupExposure:
    """One topic (or difficulty) of the bank: its questions, how many of them one round can
    hold, and how many one participant can see at most."""

    name: str | None
    bank: int
    per_round: int
    seen: int

    @property
    def share(self) -> float:
        return self.seen / self.bank if self.bank else 0.0


@dataclass(frozen=True)
class ExposureBudget:
    """How much of the bank one participant can see before the close (at most)."""

    rounds: int | None  # None: unlimited
    question_count: int
    bank: int
    seen: int
    topics: tuple[GroupExposure, ...]
    difficulties: tuple[GroupExposure, ...]  # only when the rules set difficulty quotas

    @property
    def share(self) -> float:
        return self.seen / self.bank if self.bank else 0.0

    def exceeds(self, max_percent: int) -> bool:
        """Whether one participant can see more than `max_percent` % of the bank."""
        return self.seen * 100 > max_percent * self.bank


def _seen(bank: int, per_round: int, rounds: int | None) -> int:
    return min(bank, per_round * rounds) if rounds is not None else (bank if per_round else 0)


def _groups(
    counts: Mapping, quotas: Mapping, question_count: int, rounds: int | None
) -> tuple[tuple[GroupExposure, ...], int]:
    """Each group's exposure, and the most seen over all groups (the free places bound the
    groups without a quota together)."""
    free = max(0, question_count - sum(quotas.values()))
    groups = tuple(
        GroupExposure(name, bank, quotas.get(name, free), 0) for name, bank in counts.items()
    )
    groups = tuple(
        GroupExposure(g.name, g.bank, min(g.per_round, g.bank), _seen(g.bank, g.per_round, rounds))
        for g in groups
    )
    with_quota = sum(g.seen for g in groups if g.name in quotas)
    without = sum(g.bank for g in groups if g.name not in quotas)
    return groups, with_quota + _seen(without, free, rounds)


def exposure_budget(
    pool: Iterable[PoolQuestion], rules: DrawRules, rounds: int | None
) -> ExposureBudget:
    """The exposure of each topic (and difficulty under quotas) and of the whole bank to one
    participant who plays `rounds` rounds (None: unlimited), under the draw rules."""
    unique = {question.question_id: question for question in pool}.values()
    by_topic = Counter(question.topic for question in unique)
    by_difficulty = Counter(question.difficulty for question in unique)
    bank = sum(by_topic.values())
    topics, seen_by_topic = _groups(
        dict(sorted(by_topic.items())), rules.topic_quotas, rules.question_count, rounds
    )
    difficulties: tuple[GroupExposure, ...] = ()
    seen = seen_by_topic
    if rules.difficulty_quotas:
        difficulties, seen_by_difficulty = _groups(
            dict(sorted(by_difficulty.items(), key=lambda item: item[0] or "")),
            rules.difficulty_quotas,
            rules.question_count,
            rounds,
        )
        seen = min(seen, seen_by_difficulty)
    if rounds is not None:
        seen = min(seen, rounds * rules.question_count)
    return ExposureBudget(rounds, rules.question_count, bank, seen, topics, difficulties)
