from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contest.domain.ranking import RoundResult, best_rounds, performance_key, rank_participants

T0 = datetime(2021, 9, 15, tzinfo=UTC)


def result(participant, attempt, correct, duration, finished_s=0) -> RoundResult:
    return RoundResult(participant, attempt, correct, duration, T0 + timedelta(seconds=finished_s))


def test_best_round_most_correct_then_fastest_then_earliest():
    rounds = [
        result(1, 1, 8, 30_000, 10),
        result(1, 2, 9, 90_000, 20),  # more correct beats faster
        result(2, 3, 9, 50_000, 30),
        result(2, 4, 9, 40_000, 40),  # same correct, faster
        result(3, 5, 9, 40_000, 50),
        result(3, 6, 9, 40_000, 45),  # same correct and time, earlier
    ]
    best = best_rounds(rounds)
    assert {p: r.attempt_id for p, r in best.items()} == {1: 2, 2: 4, 3: 6}


def test_ranking_one_line_per_participant_with_shared_ranks_for_true_ties():
    rounds = [
        result(1, 1, 10, 60_000, 5),
        result(2, 2, 10, 60_000, 5),  # a true tie with participant 1
        result(3, 3, 10, 61_000, 1),
        result(4, 4, 7, 10_000, 1),
        result(4, 5, 6, 5_000, 2),
    ]
    lines = rank_participants(rounds)
    assert [(line.rank, line.result.participant_id) for line in lines] == [
        (1, 1),
        (1, 2),
        (3, 3),
        (4, 4),
    ]


round_results = st.builds(
    RoundResult,
    participant_id=st.integers(1, 8),
    attempt_id=st.integers(1, 10_000),
    correct_count=st.integers(0, 10),
    duration_ms=st.integers(0, 600_000),
    finished_at=st.integers(0, 100).map(lambda s: T0 + timedelta(seconds=s)),
)


@given(st.lists(round_results, max_size=40, unique_by=lambda r: r.attempt_id))
def test_ranking_properties(results):
    lines = rank_participants(results)
    participants = [line.result.participant_id for line in lines]
    assert len(participants) == len(set(participants)) == len({r.participant_id for r in results})
    for line in lines:
        own = [r for r in results if r.participant_id == line.result.participant_id]
        assert performance_key(line.result) == min(performance_key(r) for r in own)
    for before, after in zip(lines, lines[1:], strict=False):
        assert performance_key(before.result) <= performance_key(after.result)
        if performance_key(before.result) == performance_key(after.result):
            assert before.rank == after.rank
        else:
            assert after.rank == lines.index(after) + 1
    if lines:
        assert lines[0].rank == 1
