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


# The prediction question ("câu hỏi dự đoán")


def test_predictions_change_nothing_until_the_true_value_is_known():
    rounds = [result(1, 1, 9, 60_000, 5), result(2, 2, 9, 60_000, 1), result(3, 3, 8, 1_000, 0)]
    predictions = {1: 12, 2: 40}
    assert rank_participants(rounds, predictions) == rank_participants(rounds)
    assert rank_participants(rounds, predictions, true_value=None) == rank_participants(rounds)
    assert all(line.prediction_distance is None for line in rank_participants(rounds, predictions))


def test_the_closest_prediction_breaks_a_tie_on_correct_and_duration_before_the_finish():
    rounds = [
        result(1, 1, 9, 60_000, 1),  # finished first, predicted far
        result(2, 2, 9, 60_000, 9),  # closest
        result(3, 3, 9, 60_000, 5),  # predicted nothing: after every prediction
        result(4, 4, 9, 60_000, 2),  # as close as 5, finished earlier
        result(5, 5, 9, 60_000, 3),
        result(6, 6, 9, 59_000, 99),  # faster beats any prediction
        result(7, 7, 10, 90_000, 99),  # more correct beats any prediction
    ]
    predictions = {1: 40, 2: 16, 4: 12, 5: 18, 7: 0, 6: 1000}
    lines = rank_participants(rounds, predictions, true_value=15)
    assert [(line.rank, line.result.participant_id) for line in lines] == [
        (1, 7),
        (2, 6),
        (3, 2),
        (4, 4),
        (5, 5),
        (6, 1),
        (7, 3),
    ]
    assert [line.prediction_distance for line in lines] == [15, 985, 1, 3, 3, 25, None]


def test_equal_predictions_and_finish_still_share_a_rank():
    rounds = [result(1, 1, 9, 60_000, 1), result(2, 2, 9, 60_000, 1), result(3, 3, 9, 60_000, 1)]
    lines = rank_participants(rounds, {1: 14, 2: 16}, true_value=15)
    assert [(line.rank, line.result.participant_id) for line in lines] == [(1, 1), (1, 2), (3, 3)]


@given(
    st.lists(round_results, max_size=40, unique_by=lambda r: r.attempt_id),
    st.dictionaries(st.integers(1, 8), st.integers(0, 50)),
    st.integers(0, 50),
)
def test_the_prediction_only_reorders_lines_tied_on_correct_and_duration(results, guesses, truth):
    plain = rank_participants(results)
    lines = rank_participants(results, guesses, truth)
    assert {line.result for line in lines} == {line.result for line in plain}
    for before, after in zip(lines, lines[1:], strict=False):
        assert performance_key(before.result)[:2] <= performance_key(after.result)[:2]
        if performance_key(before.result)[:2] == performance_key(after.result)[:2]:
            distances = before.prediction_distance, after.prediction_distance
            if None not in distances:
                assert distances[0] <= distances[1]
            else:
                assert distances[1] is None
            if distances[0] == distances[1]:
                assert before.result.finished_at <= after.result.finished_at
