"""Every plausibility flag at its threshold, without an app."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from contest.domain.plausibility import (
    DEFAULT_THRESHOLDS,
    REGULAR_MIN_ANSWERS,
    Flag,
    QuestionTiming,
    RoundTimeline,
    Thresholds,
    assess_round,
    gap_cv_percent,
    reading_floor_ms,
)

START = datetime(2021, 9, 15, 1, 0, tzinfo=UTC)
# Thresholds that flag nothing but what a test sets.
LOOSE = Thresholds(
    reading_chars_per_second=50,
    motor_ms=300,
    regular_cv_percent=0,
    device_accounts=1_000,
    address_rounds=1_000,
    unshown_answers=0,
)

speeds = st.integers(min_value=1, max_value=200)
motors = st.integers(min_value=0, max_value=2_000)
lengths = st.lists(st.integers(min_value=1, max_value=2_000), min_size=1, max_size=12)


def timeline(
    saved_ms: list[int], lengths: list[int], shown_ms: list[int | None] | None = None, **extra
) -> RoundTimeline:
    """A round whose question n (of `lengths[n]` characters) was first saved at saved_ms[n],
    reported shown at shown_ms[n] (None: never; by default every one at the start)."""
    shown_ms = [0] * len(saved_ms) if shown_ms is None else shown_ms
    questions = [
        QuestionTiming(
            question_id=100 + n,
            position=n + 1,
            reading_chars=length,
            first_saved_at=START + timedelta(milliseconds=at),
            last_saved_at=START + timedelta(milliseconds=at),
            shown_at=None if shown is None else START + timedelta(milliseconds=shown),
        )
        for n, (at, length, shown) in enumerate(zip(saved_ms, lengths, shown_ms, strict=True))
    ]
    finished = START + timedelta(milliseconds=max(saved_ms, default=0) + 500)
    return RoundTimeline(START, finished, questions, **extra)


def at_floor(lengths: list[int], thresholds: Thresholds, shift: int = 0) -> list[int]:
    """Each answer exactly at its cumulative floor, the last one shifted by `shift` ms."""
    moments, total = [], 0
    for length in lengths:
        total += reading_floor_ms(length, thresholds)
        moments.append(total)
    moments[-1] += shift
    return moments


@given(lengths, speeds, motors)
def test_an_answer_at_its_reading_floor_is_not_too_fast(lengths, speed, motor):
    thresholds = replace(LOOSE, reading_chars_per_second=speed, motor_ms=motor)
    assessment = assess_round(timeline(at_floor(lengths, thresholds), lengths), thresholds)
    assert Flag.TOO_FAST not in assessment.flags
    assert not any(answer.too_fast for answer in assessment.answers)


@given(lengths, speeds, motors)
def test_an_answer_a_millisecond_under_its_floor_is_too_fast_and_holds_the_round(
    lengths, speed, motor
):
    thresholds = replace(LOOSE, reading_chars_per_second=speed, motor_ms=motor)
    moments = at_floor(lengths, thresholds, shift=-1)
    assessment = assess_round(timeline(moments, lengths), thresholds)
    assert Flag.TOO_FAST in assessment.flags
    assert assessment.flagged
    assert assessment.held
    assert [a.too_fast for a in assessment.answers] == [False] * (len(lengths) - 1) + [True]


def test_the_floor_is_reading_time_of_stem_and_choices_plus_a_click():
    assert reading_floor_ms(400, DEFAULT_THRESHOLDS) == 5_000 + 300
    assert reading_floor_ms(1, Thresholds(3, 0, 0, 1, 1)) == 334  # rounded up


def test_the_floor_is_cumulative_reading_ahead_is_allowed_reading_twice_at_once_is_not():
    floor = reading_floor_ms(500, LOOSE)  # 10.3 s
    # The second question read while the first was being read: both answers at once.
    together = assess_round(timeline([floor, floor + 400], [500, 500]), LOOSE)
    assert together.answers[1].too_fast
    # Read one after the other, then answered in the other order: fine.
    swapped = assess_round(timeline([2 * floor, floor], [500, 500]), LOOSE)
    assert Flag.TOO_FAST not in swapped.flags
    assert [a.position for a in swapped.answers] == [2, 1]


def test_an_instant_scripted_round_is_too_fast():
    moments = [50 + 5 * n for n in range(10)]
    assessment = assess_round(timeline(moments, [352] * 10), DEFAULT_THRESHOLDS)
    assert assessment.flags == (Flag.TOO_FAST,)
    assert assessment.held
    assert all(answer.too_fast for answer in assessment.answers)


SIX = timedelta(seconds=6)


def test_unanswered_questions_need_no_reading():
    questions = [
        QuestionTiming(1, 1, 400, START + SIX, START + SIX, START),
        QuestionTiming(2, 2, 400, None, None),  # never shown, never answered: nothing to flag
    ]
    assessment = assess_round(
        RoundTimeline(START, START + timedelta(seconds=10), questions), DEFAULT_THRESHOLDS
    )
    assert assessment.flags == ()
    assert assessment.floor_ms == 5_300
    assert [a.question_id for a in assessment.answers] == [1]


def test_a_changed_answer_is_judged_by_its_first_save():
    questions = [QuestionTiming(1, 1, 400, START, START + timedelta(seconds=60), START)]
    assessment = assess_round(
        RoundTimeline(START, START + timedelta(seconds=61), questions), DEFAULT_THRESHOLDS
    )
    assert assessment.flags == (Flag.TOO_FAST,)
    assert assessment.answers[0].last_saved_ms == 60_000


@given(
    st.integers(min_value=REGULAR_MIN_ANSWERS, max_value=30),
    st.integers(min_value=1_000, max_value=60_000),
    st.integers(min_value=1, max_value=99),
)
def test_gaps_below_the_variation_threshold_are_regular_and_at_it_are_not(count, gap, percent):
    # Alternating gaps gap ± d have a coefficient of variation of d / gap (even counts).
    count += count % 2
    deviation = gap * percent // 100
    if deviation == 0:
        return
    gaps = [gap + deviation if n % 2 else gap - deviation for n in range(count)]
    moments = [sum(gaps[: n + 1]) for n in range(count)]
    cv = gap_cv_percent(moments)
    assert abs(cv - 100 * deviation / gap) < 1e-6
    lengths = [1] * count  # floors of a few ms: only the regularity is at stake
    below = replace(LOOSE, regular_cv_percent=int(cv) + 1)
    at = replace(LOOSE, regular_cv_percent=int(cv))
    assert Flag.REGULAR in assess_round(timeline(moments, lengths), below).flags
    assert Flag.REGULAR not in assess_round(timeline(moments, lengths), at).flags


def test_regularity_needs_enough_answers():
    moments = [10_000 * (n + 1) for n in range(REGULAR_MIN_ANSWERS - 1)]
    assessment = assess_round(timeline(moments, [1] * len(moments)), DEFAULT_THRESHOLDS)
    assert assessment.gap_cv_percent is None
    assert Flag.REGULAR not in assessment.flags
    moments.append(10_000 * REGULAR_MIN_ANSWERS)
    assessment = assess_round(timeline(moments, [1] * len(moments)), DEFAULT_THRESHOLDS)
    assert assessment.gap_cv_percent == 0
    assert Flag.REGULAR in assessment.flags


@given(st.integers(min_value=2, max_value=50))
def test_a_device_is_flagged_from_its_threshold_of_accounts(threshold):
    thresholds = replace(LOOSE, device_accounts=threshold)
    human = [20_000 * (n + 1) + 3_000 * (n % 3) for n in range(3)]
    under = assess_round(timeline(human, [100] * 3, device_accounts=threshold - 1), thresholds)
    at = assess_round(timeline(human, [100] * 3, device_accounts=threshold), thresholds)
    assert under.flags == ()
    assert at.flags == (Flag.SHARED_DEVICE,)
    assert at.flagged
    assert not at.held


@given(st.integers(min_value=2, max_value=500), st.booleans())
def test_an_address_burst_adds_evidence_but_never_flags_alone(threshold, fast):
    thresholds = replace(LOOSE, address_rounds=threshold)
    moments = [100, 200, 300] if fast else [20_000, 45_000, 61_000]
    for rounds, burst in ((threshold - 1, False), (threshold, True), (threshold * 10, True)):
        assessment = assess_round(timeline(moments, [100] * 3, address_rounds=rounds), thresholds)
        assert (Flag.ADDRESS_BURST in assessment.flags) == (burst and fast)
        assert assessment.flagged == fast


def test_evidence_is_a_timeline_per_question():
    assessment = assess_round(timeline([9_000, 500], [400, 400]), DEFAULT_THRESHOLDS)
    evidence = assessment.evidence()
    assert [line["position"] for line in evidence["answers"]] == [2, 1]
    assert evidence["answers"][0] == {
        "question_id": 101,
        "position": 2,
        "reading_chars": 400,
        "floor_ms": 5_300,
        "first_saved_ms": 500,
        "last_saved_ms": 500,
        "too_fast": True,
        "shown_ms": 0,
        "unshown": False,
    }
    assert evidence["floor_ms"] == 10_600
    assert evidence["unshown_answers"] == 0


HUMAN_MS = [20_000 * (n + 1) + 3_000 * (n % 3) for n in range(5)]


@given(st.integers(min_value=1, max_value=5), st.integers(min_value=0, max_value=5))
def test_answers_to_questions_never_shown_flag_from_the_threshold(threshold, unshown):
    """A naive script reports nothing shown: each answer it saves counts."""
    thresholds = replace(LOOSE, unshown_answers=threshold)
    shown = [None] * unshown + [0] * (5 - unshown)
    assessment = assess_round(timeline(HUMAN_MS, [100] * 5, shown), thresholds)
    assert assessment.unshown_answers == unshown
    assert (Flag.UNSHOWN in assessment.flags) == (unshown >= threshold)
    assert assessment.held == (unshown >= threshold)
    assert [a.unshown for a in assessment.answers] == [s is None for s in shown]


@given(st.integers(min_value=-5_000, max_value=5_000))
def test_an_answer_saved_before_its_question_was_shown_counts_and_at_it_does_not(offset):
    thresholds = replace(LOOSE, unshown_answers=1)
    shown = [0, 0, HUMAN_MS[2] + offset, 0, 0]  # question 3 reported `offset` ms after its save
    assessment = assess_round(timeline(HUMAN_MS, [100] * 5, shown), thresholds)
    assert (Flag.UNSHOWN in assessment.flags) == (offset > 0)
    assert assessment.answers[2].shown_ms == HUMAN_MS[2] + offset


def test_the_unshown_check_is_off_at_zero_and_unanswered_questions_need_no_report():
    never = [None] * 5
    assert assess_round(timeline(HUMAN_MS, [100] * 5, never), LOOSE).flags == ()
    questions = [QuestionTiming(1, 1, 100, None, None, None)]  # neither shown nor answered
    finished = START + timedelta(seconds=10)
    assessment = assess_round(RoundTimeline(START, finished, questions), DEFAULT_THRESHOLDS)
    assert assessment.flags == ()
    assert DEFAULT_THRESHOLDS.unshown_answers == 1
