"""The individual ranking: each participant's best round, ordered.

Order (best first): most correct answers, then shortest duration in milliseconds, then the
earliest finish. Participants equal on all three share a rank (standard competition ranking,
"1224"); among them the listing order is by participant id, which carries no meaning.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RoundResult:
    """One graded round of one participant."""

    participant_id: int
    attempt_id: int
    correct_count: int
    duration_ms: int
    finished_at: datetime


@dataclass(frozen=True)
class RankedParticipant:
    """A line of the ranking: the rank and the round it comes from."""

    rank: int
    result: RoundResult


def performance_key(result: RoundResult) -> tuple:
    """Sort key of a round's performance, best first; equal keys are a true tie."""
    return (-result.correct_count, result.duration_ms, result.finished_at)


def best_rounds(results: Iterable[RoundResult]) -> dict[int, RoundResult]:
    """Each participant's best round; of two identical performances the first played."""
    best: dict[int, RoundResult] = {}
    for result in results:
        current = best.get(result.participant_id)
        if current is None or (performance_key(result), result.attempt_id) < (
            performance_key(current),
            current.attempt_id,
        ):
            best[result.participant_id] = result
    return best


def rank_participants(results: Iterable[RoundResult]) -> list[RankedParticipant]:
    """The ranking: one line per participant from their best round, in the module's order."""
    ordered = sorted(
        best_rounds(results).values(),
        key=lambda result: (performance_key(result), result.participant_id),
    )
    lines: list[RankedParticipant] = []
    for index, result in enumerate(ordered):
        tied_with_previous = index > 0 and performance_key(result) == performance_key(
            ordered[index - 1]
        )
        rank = lines[-1].rank if tied_with_previous else index + 1
        lines.append(RankedParticipant(rank=rank, result=result))
    return lines
