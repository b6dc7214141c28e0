"""Item analysis: facility, discrimination (worked by hand), flags and the order of the report."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.item_analysis import (
    LOW_FACILITY,
    MIN_ROUNDS_TO_FLAG,
    ItemReport,
    ItemSums,
    analyse_item,
    discrimination,
    facility,
    suspicious_first,
)

KEY, WRONG_1, WRONG_2, WRONG_3 = 101, 102, 103, 104


def sums_of(x: list[int], rest: list[int]) -> ItemSums:
    """The sums the database would give for rounds scoring x (1/0) here and `rest` elsewhere."""
    assert len(x) == len(rest)
    return ItemSums(
        served=len(x),
        correct=sum(x),
        rest=sum(rest),
        rest_squared=sum(r * r for r in rest),
        correct_rest=sum(xi * ri for xi, ri in zip(x, rest, strict=True)),
    )


# A hand-computed example


# Five graded rounds served the question:
#   x    = [1, 1, 0, 1, 0]   (right or wrong on this question)
#   rest = [8, 6, 3, 7, 2]   (score on the rest of the round)
#
#   n = 5,  Σx = 3,  Σrest = 8+6+3+7+2 = 26
#   Σrest² = 64+36+9+49+4 = 162,  Σx·rest = 8+6+7 = 21
#
#   facility = Σx / n = 3/5 = 0.6
#
#   covariance term  n·Σx·rest − Σx·Σrest = 5·21 − 3·26 = 105 − 78 = 27
#   variance of x    n·Σx − (Σx)²         = 5·3 − 3²    = 15 − 9   = 6
#   variance of rest n·Σrest² − (Σrest)²  = 5·162 − 26² = 810 − 676 = 134
#
#   r = 27 / √(6·134) = 27 / √804 = 27 / 28.354894...= 0.952217 (to 6 places)
#
# Check with deviations: mean x = 0.6, mean rest = 5.2;
#   Σ(x−0.6)(rest−5.2) = 0.4·2.8 + 0.4·0.8 − 0.6·(−2.2) + 0.4·1.8 − 0.6·(−3.2)
#                      = 1.12 + 0.32 + 1.32 + 0.72 + 1.92 = 5.4 = 27/5
HAND_X = [1, 1, 0, 1, 0]
HAND_REST = [8, 6, 3, 7, 2]


def test_the_sums_of_the_hand_example():
    assert sums_of(HAND_X, HAND_REST) == ItemSums(
        served=5, correct=3, rest=26, rest_squared=162, correct_rest=21
    )


def test_facility_and_discrimination_of_the_hand_example():
    sums = sums_of(HAND_X, HAND_REST)
    assert facility(sums) == pytest.approx(0.6)
    assert discrimination(sums) == pytest.approx(27 / math.sqrt(804))
    assert discrimination(sums) == pytest.approx(0.952217, abs=1e-6)


def test_the_report_of_the_hand_example():
    picks = {KEY: 3, WRONG_1: 1, WRONG_2: 1}
    report = analyse_item(7, sums_of(HAND_X, HAND_REST), picks, KEY)
    assert report == ItemReport(
        question_id=7,
        served=5,
        facility=pytest.approx(0.6),
        discrimination=pytest.approx(0.952217, abs=1e-6),
        picks=picks,
        unanswered=0,
        key_choice_id=KEY,
        flags=(),
    )
    assert not report.looks_wrong


def test_unanswered_rounds_are_those_without_a_pick():
    report = analyse_item(7, sums_of(HAND_X, HAND_REST), {KEY: 3, WRONG_1: 1}, KEY)
    assert report.unanswered == 1


# Undefined values


@pytest.mark.parametrize(
    ("x", "rest"),
    [
        ([1, 1, 1, 1, 1], [8, 6, 3, 7, 2]),
        ([0, 0, 0, 0, 0], [8, 6, 3, 7, 2]),
        ([1], [8]),
        ([], []),
        ([1, 0, 1, 0, 1], [5, 5, 5, 5, 5]),
        ([1, 0], [0, 0]),
    ],
    ids=["all-right", "all-wrong", "one-round", "never-served", "constant-rest", "rest-all-zero"],
)
def test_discrimination_is_undefined(x, rest):
    assert discrimination(sums_of(x, rest)) is None


def test_facility_is_undefined_for_a_question_never_served():
    sums = sums_of([], [])
    assert facility(sums) is None
    report = analyse_item(7, sums, {}, KEY)
    assert (report.facility, report.discrimination, report.flags) == (None, None, ())


def test_two_rounds_are_enough_for_a_discrimination():
    # x = [1, 0], rest = [4, 2]: 2·4 − 1·6 = 2; 2·1 − 1 = 1; 2·20 − 36 = 4; r = 2/√4 = 1.
    assert discrimination(sums_of([1, 0], [4, 2])) == pytest.approx(1.0)


# Flags


@pytest.mark.parametrize(
    ("x", "rest", "picks", "flags"),
    [
        (
            [1, 0, 0, 0, 0],
            [9, 5, 4, 3, 2],
            {KEY: 1, WRONG_1: 1, WRONG_2: 1, WRONG_3: 1},
            ("low_facility",),
        ),
        (
            [1, 1, 0, 0, 0],
            [9, 8, 2, 3, 1],
            {KEY: 2, WRONG_1: 3},
            ("distractor_beats_key",),
        ),
        (
            [1, 1, 0, 0, 0, 1],
            [1, 2, 8, 9, 7, 3],
            {KEY: 3, WRONG_1: 2, WRONG_2: 1},
            ("negative_discrimination",),
        ),
        (
            [0, 0, 0, 1, 0],
            [9, 8, 7, 1, 6],
            {KEY: 1, WRONG_1: 4},
            ("low_facility", "distractor_beats_key", "negative_discrimination"),
        ),
        (
            [1, 1, 0, 0, 0, 0, 0, 0],
            [9, 8, 1, 2, 3, 1, 2, 3],
            {KEY: 2, WRONG_1: 2, WRONG_2: 2, WRONG_3: 2},
            (),
        ),
        (
            [1, 1, 0, 0, 0],
            [9, 8, 2, 3, 1],
            {KEY: 2, WRONG_1: 2, WRONG_2: 1},
            (),
        ),
        (
            [0, 0, 0, 0, 0],
            [9, 5, 4, 3, 2],
            {WRONG_1: 4},
            ("low_facility", "distractor_beats_key"),
        ),
    ],
    ids=[
        "low-facility",
        "distractor-beats-key",
        "negative-discrimination",
        "all-three",
        "facility-exactly-a-quarter",
        "distractor-ties-with-key",
        "key-never-picked",
    ],
)
def test_flags(x, rest, picks, flags):
    report = analyse_item(7, sums_of(x, rest), picks, KEY)
    assert report.flags == flags
    assert report.looks_wrong == bool(flags)


def test_the_thresholds():
    assert (MIN_ROUNDS_TO_FLAG, LOW_FACILITY) == (5, 0.25)


@pytest.mark.parametrize(
    ("x", "rest", "picks"),
    [
        ([0, 0, 1, 0], [9, 8, 1, 7], {WRONG_1: 3, KEY: 1}),
        ([0, 0, 0, 0], [9, 8, 1, 7], {WRONG_1: 4}),
    ],
    ids=["distractor-and-negative-discrimination", "nobody-right"],
)
def test_fewer_than_five_rounds_are_never_flagged(x, rest, picks):
    report = analyse_item(7, sums_of(x, rest), picks, KEY)
    assert report.flags == ()
    assert not report.looks_wrong


def test_the_same_question_with_a_fifth_round_is_flagged():
    sums = sums_of([0, 0, 1, 0, 0], [9, 8, 1, 7, 6])
    report = analyse_item(7, sums, {WRONG_1: 4, KEY: 1}, KEY)
    assert report.flags == ("low_facility", "distractor_beats_key", "negative_discrimination")


# Order of the report


def report(question_id: int, flags: tuple = (), facility=0.5, served: int = 10) -> ItemReport:
    return ItemReport(
        question_id=question_id,
        served=served,
        facility=facility,
        discrimination=None,
        picks={},
        unanswered=served,
        key_choice_id=KEY,
        flags=flags,
    )


def test_suspicious_questions_come_first():
    three = ("low_facility", "distractor_beats_key", "negative_discrimination")
    reports = [
        report(1),
        report(2, ("negative_discrimination",), facility=0.6),
        report(3, three, facility=0.1),
        report(4, ("low_facility",), facility=0.2),
        report(5, facility=None, served=0),
        report(6, facility=0.9),
        report(7, ("low_facility", "distractor_beats_key"), facility=0.2),
        report(8, facility=0.5, served=30),
        report(9, facility=0.3),
        report(10, ("negative_discrimination",), facility=0.6, served=40),
    ]
    ordered = [r.question_id for r in suspicious_first(iter(reports))]
    assert ordered == [
        3,  # three flags
        7,  # two flags
        4,  # one flag, facility 0.2
        10,  # one flag, facility 0.6, served 40
        2,  # one flag, facility 0.6, served 10
        9,  # no flag, facility 0.3
        8,  # facility 0.5, served 30
        1,  # facility 0.5, served 10
        6,  # facility 0.9
        5,  # never served: facility counts as 1.0
    ]


def test_suspicious_first_of_nothing():
    assert suspicious_first([]) == []


# Properties


rounds = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 60)), max_size=40)


@given(rounds)
def test_discrimination_is_the_pearson_correlation(pairs):
    x = [xi for xi, _ in pairs]
    rest = [ri for _, ri in pairs]
    value = discrimination(sums_of(x, rest))
    if value is None:
        with pytest.raises(statistics.StatisticsError):
            statistics.correlation(x, rest)
    else:
        assert -1.0 <= value <= 1.0
        assert value == pytest.approx(statistics.correlation(x, rest), rel=1e-9, abs=1e-12)


@given(rounds)
def test_facility_is_a_share(pairs):
    x = [xi for xi, _ in pairs]
    value = facility(sums_of(x, [ri for _, ri in pairs]))
    if pairs:
        assert value == pytest.approx(sum(x) / len(x))
        assert 0.0 <= value <= 1.0
    else:
        assert value is None
