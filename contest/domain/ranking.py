"""The individual ranking: each participant's best round, ordered.

Order (best first):
1. most correct answers;
2. shortest duration in milliseconds;
3. only when the contest has a prediction question ("câu hỏi dự đoán") and its true value is
   known (after closing): the prediction closest to the true value, i.e. the smallest
   |prediction - true value|; participants who predicted nothing come after all who did;
4. the earliest finish.
Participants equal on all of these share a rank (standard competition ranking, "1224"); among
them the listing order is by participant id, which carries no meaning. Without a true value
(the default) step 3 does not exist and predictions change nothing.

A participant's best round is chosen by 1, 2 and 4 only: the prediction belongs to the
participant, not to a round.
"""

from collections.abc import Iterable, Mapping
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
    # |prediction - true value| when the tie-break applied and the participant predicted
    prediction_distance: int | None = None


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


def prediction_distance(
    participant_id: int, predictions: Mapping[int, int] | None, true_value: int | None
) -> int | None:
    """|prediction - true value| of a participant; None without a true value or a prediction."""
    if true_value is None or predictions is None:
        return None
    prediction = predictions.get(participant_id)
    return None if prediction is None else abs(prediction - true_value)


def ranking_key(
    result: RoundResult,
    predictions: Mapping[int, int] | None = None,
    true_value: int | None = None,
) -> tuple:
    """Sort key of a ranking line in the module's order, best first; equal keys share a rank."""
    distance = prediction_distance(result.participant_id, predictions, true_value)
    # (0, distance) sorts every prediction before (1, 0), the participants without one; with no
    # true value everybody gets (1, 0), so the step is inert and the default order unchanged.
    closeness = (1, 0) if distance is None else (0, distance)
    return (-result.correct_count, result.duration_ms, closeness, result.finished_at)


def rank_participants(
    results: Iterable[RoundResult],
    predictions: Mapping[int, int] | None = None,
    true_value: int | None = None,
) -> list[RankedParticipant]:
    """The ranking: one line per participant from their best round, in the module's order.

    `predictions` maps a participant id to their predicted integer; it is used only when
    `true_value` is given (see the module docstring for where it sits in the order).
    """
    ordered = sorted(
        best_rounds(results).values(),
        key=lambda result: (ranking_key(result, predictions, true_value), result.participant_id),
    )
    lines: list[RankedParticipant] = []
    previous_key: tuple | None = None
    for index, result in enumerate(ordered):
        key = ranking_key(result, predictions, true_value)
        rank = lines[-1].rank if key == previous_key else index + 1
        distance = prediction_distance(result.participant_id, predictions, true_value)
        lines.append(RankedParticipant(rank=rank, result=result, prediction_distance=distance))
        previous_key = key
    return lines
