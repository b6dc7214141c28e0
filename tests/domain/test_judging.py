"""Judging: video scores by mean, trimmed mean and z-score (worked by hand), and properties."""

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contest.domain.judging import (
    TRIM_MIN_JUDGES,
    Aggregation,
    JudgeTotal,
    VideoScore,
    aggregate_video_scores,
)

MEAN, TRIMMED, ZSCORE = Aggregation.MEAN, Aggregation.TRIMMED_MEAN, Aggregation.ZSCORE


def totals_of(*rows: tuple[int, int, str]) -> list[JudgeTotal]:
    """(video, judge, total) rows as JudgeTotals."""
    return [JudgeTotal(video, judge, Decimal(total)) for video, judge, total in rows]


def scores_of(rows, video_ids, method=MEAN, **options) -> dict[int, Decimal | None]:
    result = aggregate_video_scores(totals_of(*rows), video_ids, method, **options)
    return {video_id: score.score for video_id, score in result.items()}


def unscored(video_id: int) -> VideoScore:
    return VideoScore(video_id, None, 0, None, None, None, None, (), False)


# The mean


def test_mean_of_a_worked_example():
    # 87.5 + 90.25 + 78 = 255.75, / 3 = 85.25. Deviations 2.25, 5, -7.25; squares 5.0625, 25,
    # 52.5625; population variance 82.625 / 3 = 27.5417, SD 5.2480 -> 5.25.
    rows = (7, 1, "87.5"), (7, 2, "90.25"), (7, 3, "78")
    assert aggregate_video_scores(totals_of(*rows), [7]) == {
        7: VideoScore(
            video_id=7,
            score=Decimal("85.25"),
            judge_count=3,
            lowest=Decimal("78"),
            highest=Decimal("90.25"),
            spread=Decimal("12.25"),
            standard_deviation=Decimal("5.25"),
            dropped_judge_ids=(),
            disagreement=False,
        )
    }


def test_mean_is_exact_then_rounded_half_up():
    # 80.025 goes up (half-even would give 80.02); 230.01 / 3 = 76.67 (76.6700 recurring).
    assert scores_of([(1, 1, "80.00"), (1, 2, "80.05")], [1]) == {1: Decimal("80.03")}
    assert scores_of([(1, 1, "70"), (1, 2, "80"), (1, 3, "80.01")], [1]) == {1: Decimal("76.67")}


def test_standard_deviation_is_rounded_half_up_exactly():
    # 0 and 0.01: mean 0.005, the SD is exactly 0.005, which rounds up to 0.01.
    [score] = aggregate_video_scores(totals_of((1, 1, "0"), (1, 2, "0.01")), [1]).values()
    assert score.standard_deviation == Decimal("0.01")
    assert score.score == Decimal("0.01")


@pytest.mark.parametrize("method", list(Aggregation))
def test_a_video_nobody_scored_has_no_score(method):
    rows = (1, 1, "60"), (1, 2, "70")
    assert aggregate_video_scores(totals_of(*rows), [2, 3], method) == {
        2: unscored(2),
        3: unscored(3),
    }
    assert aggregate_video_scores([], [5], method) == {5: unscored(5)}


@pytest.mark.parametrize("method", list(Aggregation))
def test_one_judge_gives_their_total_without_spread_statistics(method):
    [score] = aggregate_video_scores(totals_of((4, 9, "72.5")), [4], method).values()
    assert score == VideoScore(
        4, Decimal("72.50"), 1, Decimal("72.5"), Decimal("72.5"), Decimal(0), None, (), False
    )


def test_totals_of_unlisted_videos_get_no_entry():
    rows = (1, 1, "60"), (2, 1, "90"), (3, 2, "10")
    assert scores_of(rows, [1]) == {1: Decimal("60.00")}


# The trimmed mean


@pytest.mark.parametrize(
    ("totals", "score", "dropped"),
    [
        # Four judges: too few to trim, the mean (60 + 70 + 75 + 95) / 4 = 75.
        (["60", "70", "75", "95"], "75.00", ()),
        # Five: drop 60 (judge 1) and 95 (judge 5); (70 + 75 + 80) / 3 = 75.
        (["60", "70", "75", "80", "95"], "75.00", (1, 5)),
        # Six: drop 60 and 95 only; (70 + 75 + 80 + 85) / 4 = 77.5.
        (["60", "70", "75", "80", "85", "95"], "77.50", (1, 6)),
    ],
)
def test_trimmed_mean_drops_one_each_way_from_five_judges(totals, score, dropped):
    rows = [(1, judge, total) for judge, total in enumerate(totals, start=1)]
    [result] = aggregate_video_scores(totals_of(*rows), [1], TRIMMED).values()
    assert TRIM_MIN_JUDGES == 5
    assert (result.score, result.dropped_judge_ids) == (Decimal(score), dropped)
    assert result.judge_count == len(totals)  # dropped judges still scored the video
    assert result.lowest == Decimal(totals[0])
    assert result.highest == Decimal(totals[-1])


def test_trimmed_mean_ties_drop_the_smallest_id_low_and_the_largest_id_high():
    # Ordered by (total, judge): (50, 12) (50, 15) (70, 14) (90, 11) (90, 13).
    rows = (1, 11, "90"), (1, 12, "50"), (1, 13, "90"), (1, 14, "70"), (1, 15, "50")
    [result] = aggregate_video_scores(totals_of(*rows), [1], TRIMMED).values()
    assert result.dropped_judge_ids == (12, 13)
    assert result.score == Decimal("70.00")  # (50 + 70 + 90) / 3


def test_trimmed_mean_of_equal_totals_drops_the_extreme_ids():
    rows = [(1, judge, "80") for judge in (8, 3, 5, 9, 4)]
    [result] = aggregate_video_scores(totals_of(*rows), [1], TRIMMED).values()
    assert (result.score, result.dropped_judge_ids) == (Decimal("80.00"), (3, 9))


# The z-score mean


def test_zscore_removes_leniency_when_judges_agree_on_the_order():
    # A gives 50/60/70, B 80/90/100: the same z (-√1.5, 0, √1.5) for both. Grand mean 75,
    # grand variance (625+225+25+25+225+625) / 6 = 291.67; judge variance 200/3, so
    # z · grand SD = ±10 · √(291.67 / 66.67) = ±10 · √4.375 = ±20.9165: 54.08, 75, 95.92.
    strict_and_lenient = [(v, 1, t) for v, t in ((1, "50"), (2, "60"), (3, "70"))] + [
        (v, 2, t) for v, t in ((1, "80"), (2, "90"), (3, "100"))
    ]
    expected = {1: Decimal("54.08"), 2: Decimal("75.00"), 3: Decimal("95.92")}
    assert scores_of(strict_and_lenient, [1, 2, 3], ZSCORE) == expected
    # Two identical judges giving those numbers get them back: the panel now reads like one.
    identical = [(v, j, str(expected[v])) for v in (1, 2, 3) for j in (1, 2)]
    assert scores_of(identical, [1, 2, 3], ZSCORE) == expected
    assert scores_of(identical, [1, 2, 3], MEAN) == expected


def test_zscore_puts_a_strict_and_a_lenient_judges_videos_on_par():
    # A judges videos 1-3 with 50/60/70, B judges videos 4-6 with 80/90/100. The mean puts all
    # of B's above all of A's; the z-score ranks each judge's best, middle and worst alike.
    rows = [(1, 1, "50"), (2, 1, "60"), (3, 1, "70"), (4, 2, "80"), (5, 2, "90"), (6, 2, "100")]
    by_mean = scores_of(rows, range(1, 7))
    assert by_mean[4] > by_mean[3]
    by_z = scores_of(rows, range(1, 7), ZSCORE)
    assert (by_z[1], by_z[2], by_z[3]) == (by_z[4], by_z[5], by_z[6])
    assert by_z[1] < by_z[2] < by_z[3]


def test_zscore_judge_who_gives_everyone_the_same_total_contributes_the_grand_mean():
    # A: 50, 70 (mean 60, SD 10, z = -1, +1); C: 70, 70 (SD 0, so z = 0).
    # Grand: 50, 70, 70, 70, mean 65, variance (225 + 3 · 25) / 4 = 75, SD √75 = 8.660254.
    # Video 1: (65 - 8.660254 + 65) / 2 = 60.669873; video 2: (65 + 8.660254 + 65) / 2.
    rows = (1, 1, "50"), (2, 1, "70"), (1, 3, "70"), (2, 3, "70")
    assert scores_of(rows, [1, 2], ZSCORE) == {1: Decimal("60.67"), 2: Decimal("69.33")}


def test_zscore_uses_a_judges_scores_of_unlisted_videos_and_ignores_a_single_total():
    # A: 60 here, 80 on unlisted video 2 (z = -1 here); B: only 60 here (one total, z = 0).
    # Grand: 60, 80, 60, mean 66.6667, variance 88.889, SD 9.428090.
    # Video 1: (66.6667 - 9.428090 + 66.6667) / 2 = 61.952622.
    rows = (1, 1, "60"), (2, 1, "80"), (1, 2, "60")
    assert scores_of(rows, [1], ZSCORE) == {1: Decimal("61.95")}
    assert scores_of(rows[:1] + rows[2:], [1], ZSCORE) == {1: Decimal("60.00")}


@pytest.mark.parametrize(
    ("usual", "outlier", "expected"),
    [
        # A: 40, 40, 40, 40, 60 (mean 44, SD 8, z of 60 = +2); B: 0, 100 elsewhere.
        # Grand mean 320 / 7 = 45.714, variance 767.35, SD 27.701: 45.714 + 2 · 27.701 > 100.
        ("40", "60", "100.00"),
        # The mirror image: grand mean 380 / 7 = 54.286, 54.286 - 2 · 27.701 < 0.
        ("60", "40", "0.00"),
    ],
)
def test_zscore_clamps_normalised_totals_into_the_points_scale(usual, outlier, expected):
    rows = [(video, 1, usual) for video in (1, 2, 3, 4)] + [(5, 1, outlier)]
    rows += [(6, 2, "0"), (7, 2, "100")]
    assert scores_of(rows, [5], ZSCORE) == {5: Decimal(expected)}


# Disagreement


@pytest.mark.parametrize(
    ("low", "high", "disagree"),
    [("50", "75", True), ("50", "74.99", False), ("0", "100", True), ("60", "60", False)],
)
def test_disagreement_from_a_quarter_of_the_scale(low, high, disagree):
    rows = (1, 1, low), (1, 2, high)
    [result] = aggregate_video_scores(totals_of(*rows), [1]).values()
    assert result.disagreement is disagree


def test_disagreement_follows_the_scale_and_share_given():
    rows = (1, 1, "10"), (1, 2, "15")
    [result] = aggregate_video_scores(totals_of(*rows), [1], max_total=Decimal(20)).values()
    assert result.disagreement  # 5 >= 0.25 · 20
    custom = aggregate_video_scores(totals_of(*rows), [1], disagreement_share=Decimal("0.05"))
    assert custom[1].disagreement  # 5 >= 0.05 · 100
    assert not aggregate_video_scores(totals_of(*rows), [1])[1].disagreement


def test_a_single_judge_never_disagrees():
    # With a zero share any spread counts, even none: only the count of judges tells them apart.
    zero = Decimal(0)
    alone = aggregate_video_scores(totals_of((1, 1, "60")), [1], disagreement_share=zero)
    pair = aggregate_video_scores(
        totals_of((1, 1, "60"), (1, 2, "60")), [1], disagreement_share=zero
    )
    assert (alone[1].disagreement, pair[1].disagreement) == (False, True)


# Validation


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, 1, "50"), (2, 1, "60"), (1, 1, "70")], "judge 1 scored video 1 twice"),
        ([(1, 1, "-0.01")], "outside"),
        ([(1, 1, "100.01")], "outside"),
    ],
)
@pytest.mark.parametrize("method", list(Aggregation))
def test_refuses_duplicate_pairs_and_totals_off_the_scale(rows, message, method):
    with pytest.raises(ValueError, match=message):
        aggregate_video_scores(totals_of(*rows), [1], method)


def test_accepts_totals_at_both_ends_of_the_scale_and_checks_against_max_total():
    assert scores_of([(1, 1, "0"), (1, 2, "100")], [1]) == {1: Decimal("50.00")}
    with pytest.raises(ValueError, match="outside"):
        aggregate_video_scores(totals_of((1, 1, "20.5")), [1], max_total=Decimal(20))


# Properties

cents = st.integers(0, 10_000).map(lambda n: Decimal(n).scaleb(-2))
one_video = st.dictionaries(st.integers(1, 9), cents, min_size=1, max_size=9).map(
    lambda by_judge: [JudgeTotal(1, judge, total) for judge, total in by_judge.items()]
)
panels = st.dictionaries(st.tuples(st.integers(1, 4), st.integers(1, 6)), cents, max_size=24).map(
    lambda by_pair: [JudgeTotal(video, judge, total) for (video, judge), total in by_pair.items()]
)


@given(one_video)
def test_mean_lies_between_the_lowest_and_the_highest_total(totals):
    [result] = aggregate_video_scores(totals, [1]).values()
    assert result.lowest <= result.score <= result.highest
    assert result.spread == result.highest - result.lowest


@settings(max_examples=100, deadline=None)
@given(panels, st.sampled_from(list(Aggregation)), st.data())
def test_the_order_of_the_totals_does_not_matter(totals, method, data):
    shuffled = data.draw(st.permutations(totals))
    assert aggregate_video_scores(shuffled, range(1, 5), method) == aggregate_video_scores(
        totals, range(1, 5), method
    )


@given(one_video.filter(lambda totals: len(totals) < TRIM_MIN_JUDGES))
def test_trimmed_mean_is_the_mean_below_five_judges(totals):
    assert aggregate_video_scores(totals, [1], TRIMMED) == aggregate_video_scores(totals, [1])


@given(st.lists(cents, min_size=1, max_size=6))
def test_zscore_of_a_lone_judge_is_the_mean(totals):
    # Grand and judge statistics coincide, so every normalised total is the raw one.
    lone = [JudgeTotal(video, 1, total) for video, total in enumerate(totals)]
    videos = range(len(totals))
    assert aggregate_video_scores(lone, videos, ZSCORE) == aggregate_video_scores(lone, videos)


@settings(max_examples=100, deadline=None)
@given(panels)
def test_zscore_scores_stay_on_the_points_scale(totals):
    for result in aggregate_video_scores(totals, range(1, 5), ZSCORE).values():
        assert result.score is None or Decimal(0) <= result.score <= Decimal(100)


def strict_inversions(before: dict, after: dict) -> list[tuple[int, int]]:
    return [(a, b) for a in before for b in before if before[a] > before[b] and after[a] < after[b]]


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_judge_shifting_all_their_totals_does_not_change_the_zscore_ranking(data):
    # Each judge scores some of four videos (so the plain mean would reorder them), at most
    # three, with totals in [30, 70]: then |z| <= √2 and the grand SD <= 20, so normalised
    # totals stay within [1.7, 98.3] and clamping, which is not a shift-and-scale and could
    # reorder videos, never applies.
    sheet = st.dictionaries(st.integers(0, 3), st.integers(3000, 7000), min_size=1, max_size=3)
    sheets = data.draw(st.lists(sheet, min_size=2, max_size=4))
    judge = data.draw(st.integers(0, len(sheets) - 1))
    assume(len(set(sheets[judge].values())) > 1)  # a flat judge has z = 0 whatever the shift
    low, high = min(sheets[judge].values()), max(sheets[judge].values())
    shift = data.draw(st.integers(3000 - low, 7000 - high))
    shifted = list(sheets)
    shifted[judge] = {video: c + shift for video, c in sheets[judge].items()}

    def scores(by_judge: list[dict[int, int]]) -> dict[int, Decimal]:
        totals = [
            JudgeTotal(video, judge_id, Decimal(c).scaleb(-2))
            for judge_id, sheet in enumerate(by_judge)
            for video, c in sheet.items()
        ]
        result = aggregate_video_scores(totals, range(4), ZSCORE)
        return {video: s.score for video, s in result.items() if s.score is not None}

    assert strict_inversions(scores(sheets), scores(shifted)) == []
