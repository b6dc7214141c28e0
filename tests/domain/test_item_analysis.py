"""Item analysis: facility, discrimination (worked by hand), flags, the minimum of answers
before any flag, and the order of the report."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.item_analysis import (
    ANY_FLAG,
    FLAGS,
    HIGH_FACILITY,
    LOW_FACILITY,
    MIN_ANSWERS_TO_FLAG,
    REVIEW_FLAGS,
    WRONG_KEY_FLAGS,
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
    # The rules themselves, on small hand-made examples: the minimum is lowered to one answer.
    report = analyse_item(7, sums_of(x, rest), picks, KEY, min_answers=1)
    assert report.flags == flags
    assert report.looks_wrong == bool(flags)


def test_the_thresholds():
    assert (MIN_ANSWERS_TO_FLAG, LOW_FACILITY, HIGH_FACILITY) == (30, 0.25, 0.95)
    assert FLAGS == WRONG_KEY_FLAGS + REVIEW_FLAGS
    assert ANY_FLAG not in FLAGS


def test_a_question_nearly_everybody_gets_right_is_too_easy():
    # 19 of 20 right is 95 %: flagged for review, and not a wrong key.
    x, rest = [1] * 19 + [0], list(range(20, 0, -1))  # the one wrong is the weakest
    report = analyse_item(7, sums_of(x, rest), {KEY: 19, WRONG_1: 1}, KEY, min_answers=1)
    assert report.flags == ("too_easy",)
    assert not report.looks_wrong
    x, rest = [1] * 18 + [0, 0], list(range(20, 0, -1))  # 90 %: not flagged
    assert analyse_item(7, sums_of(x, rest), {KEY: 18, WRONG_1: 2}, KEY, min_answers=1).flags == ()


def test_a_wrong_choice_nobody_picks_is_flagged_when_the_choices_are_known():
    sums = sums_of([1, 1, 0, 0, 1, 0], [5, 6, 7, 3, 8, 4])
    picks = {KEY: 3, WRONG_1: 2, WRONG_2: 1}
    choices = (KEY, WRONG_1, WRONG_2, WRONG_3)
    assert analyse_item(7, sums, picks, KEY, choices, min_answers=1).flags == ("unused_distractor",)
    assert analyse_item(7, sums, picks, KEY, min_answers=1).flags == ()  # choices unknown
    every = {**picks, WRONG_3: 0}  # a count of zero is nobody too
    assert analyse_item(7, sums, every, KEY, choices, min_answers=1).flags == ("unused_distractor",)
    # The key nobody picks is another flag (low facility, distractor beats key), not this one.
    assert (
        "unused_distractor"
        not in analyse_item(
            7, sums_of([0, 0], [1, 2]), {WRONG_1: 1, WRONG_2: 1}, KEY, (KEY, WRONG_1, WRONG_2), 1
        ).flags
    )


def answered_rounds(answers: int, blank: int = 0) -> tuple[ItemSums, dict[int, int]]:
    """A question that looks wrong on every count: `answers` rounds answered it, nearly all
    with the same wrong choice, the strongest participants wrong; `blank` left it blank."""
    x = [1] + [0] * (answers - 1) + [0] * blank
    rest = [0] + [1 + n % 9 for n in range(answers - 1)] + [5] * blank
    return sums_of(x, rest), {KEY: 1, WRONG_1: answers - 1}


def test_a_question_is_flagged_from_thirty_answers_on():
    sums, picks = answered_rounds(MIN_ANSWERS_TO_FLAG - 1)
    report = analyse_item(7, sums, picks, KEY, (KEY, WRONG_1, WRONG_2))
    assert (report.answered, report.flags, report.looks_wrong) == (29, (), False)
    sums, picks = answered_rounds(MIN_ANSWERS_TO_FLAG)
    report = analyse_item(7, sums, picks, KEY, (KEY, WRONG_1, WRONG_2))
    assert report.answered == 30
    assert report.flags == (
        "low_facility",
        "distractor_beats_key",
        "negative_discrimination",
        "unused_distractor",
    )


def test_rounds_that_left_the_question_blank_are_not_answers():
    sums, picks = answered_rounds(MIN_ANSWERS_TO_FLAG - 1, blank=40)
    report = analyse_item(7, sums, picks, KEY)
    assert (report.served, report.unanswered, report.answered) == (69, 40, 29)
    assert report.flags == ()


answers = st.dictionaries(st.sampled_from([KEY, WRONG_1, WRONG_2, WRONG_3]), st.integers(0, 60))


@given(
    answers,
    st.integers(0, 20),
    st.lists(st.integers(0, 9), min_size=1, max_size=12),
    st.integers(1, 80),
)
def test_no_flag_below_the_minimum_and_the_same_flags_from_it_on(picks, blank, rests, minimum):
    x = [1] * picks.get(KEY, 0) + [0] * (sum(picks.values()) - picks.get(KEY, 0) + blank)
    sums = sums_of(x, [rests[n % len(rests)] for n in range(len(x))])
    choices = (KEY, WRONG_1, WRONG_2, WRONG_3)
    gated = analyse_item(7, sums, picks, KEY, choices, min_answers=minimum)
    ungated = analyse_item(7, sums, picks, KEY, choices, min_answers=0)
    assert gated.answered == sum(picks.values())
    if gated.answered < minimum:
        assert gated.flags == ()
        assert not gated.has_flag(ANY_FLAG)
    else:
        assert gated.flags == ungated.flags
    assert all(flag in FLAGS for flag in ungated.flags)
    assert list(ungated.flags) == sorted(ungated.flags, key=FLAGS.index)
    assert ungated.has_flag(ANY_FLAG) == bool(ungated.flags)
    assert ungated.looks_wrong == any(ungated.has_flag(flag) for flag in WRONG_KEY_FLAGS)


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


def test_questions_to_review_come_after_those_that_look_wrong():
    reports = [
        report(1, ("too_easy", "unused_distractor"), facility=0.97),
        report(2, ("negative_discrimination",), facility=0.6),
        report(3, ("too_easy",), facility=0.96),
        report(4),
    ]
    assert [r.question_id for r in suspicious_first(reports)] == [2, 1, 3, 4]


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
