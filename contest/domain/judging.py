"""Scoring contest videos from the judges' rubric totals: one score per video.

A judge's submitted score of a video has a total: the sum of its rubric points, with at most
two decimal places, between 0 and the rubric's maximum. A judge who declared a conflict of
interest, or who has not submitted, abstains: the caller passes no total for them, so they are
neither a zero nor counted among the video's judges.

The totals of a video are combined by the mean, the trimmed mean (one highest and one lowest
dropped once enough judges scored it) or the z-score mean (each judge's severity or leniency
removed first). Arithmetic is exact (fractions; square roots to 30 decimal places with
integers) and rounding to 0.01, half up, happens once at the end, so the result does not
depend on the order of the input.
"""

import enum
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

TRIM_MIN_JUDGES = 5  # below this, dropping two totals would throw away too much of the panel
_ROOT_DIGITS = 30  # far below a score's 0.01, so truncating the root never shows


class Aggregation(enum.Enum):
    """How a video's totals become its score (rules in `aggregate_video_scores`)."""

    MEAN = "mean"  # the default
    TRIMMED_MEAN = "trimmed_mean"  # one outlier judge each way cannot sway the score
    ZSCORE = "zscore"  # a strict or a lenient judge weighs like any other


@dataclass(frozen=True)
class JudgeTotal:
    """One judge's submitted total for one video."""

    video_id: int
    judge_id: int
    total: Decimal


@dataclass(frozen=True)
class VideoScore:
    """A video's score and how far its judges agree; the statistics are of the raw totals."""

    video_id: int
    score: Decimal | None  # None when no judge submitted
    judge_count: int
    lowest: Decimal | None
    highest: Decimal | None
    spread: Decimal | None  # highest - lowest
    standard_deviation: Decimal | None  # population SD; None below two judges
    dropped_judge_ids: tuple[int, ...]  # (lowest, highest) dropped by the trimmed mean, or ()
    disagreement: bool


def aggregate_video_scores(
    totals: Iterable[JudgeTotal],
    video_ids: Iterable[int],
    method: Aggregation = Aggregation.MEAN,
    max_total: Decimal = Decimal(100),
    disagreement_share: Decimal = Decimal("0.25"),
) -> dict[int, VideoScore]:
    """Each listed video's score from its judges' totals, by `method`, with their spread.

    Rules, in order:
    1. A (video, judge) pair appears at most once and every total lies in [0, max_total];
       otherwise ValueError.
    2. Every id in `video_ids` gets a VideoScore; one nobody scored has score None and
       judge_count 0. Totals of unlisted videos get no entry, yet for ZSCORE they still count
       as their judges' other scores.
    3. MEAN: the mean of the video's totals.
       TRIMMED_MEAN: with at least TRIM_MIN_JUDGES totals, the totals are ordered by (total,
       judge_id) and the first and the last are dropped (so among tied lowest totals the
       smallest judge id goes, among tied highest the largest); the score is the mean of the
       rest and the dropped ids are reported as (lowest, highest). Fewer totals: the mean.
       ZSCORE: the mean of the video's normalised totals (see `_normalised_totals`).
    4. The score and the standard deviation are rounded to 0.01, half up.
    5. disagreement: at least two judges and spread >= disagreement_share * max_total.
    """
    entries = list(totals)
    _validate(entries, max_total)
    by_video: defaultdict[int, list[JudgeTotal]] = defaultdict(list)
    for entry in entries:
        by_video[entry.video_id].append(entry)
    normalised = _normalised_totals(entries, max_total) if method is Aggregation.ZSCORE else {}
    scores: dict[int, VideoScore] = {}
    for video_id in video_ids:
        ordered = sorted(by_video.get(video_id, ()), key=lambda e: (e.total, e.judge_id))
        if not ordered:
            scores[video_id] = VideoScore(video_id, None, 0, None, None, None, None, (), False)
            continue
        kept: list[JudgeTotal] = ordered
        dropped: tuple[int, ...] = ()
        if method is Aggregation.TRIMMED_MEAN and len(ordered) >= TRIM_MIN_JUDGES:
            kept, dropped = ordered[1:-1], (ordered[0].judge_id, ordered[-1].judge_id)
        if method is Aggregation.ZSCORE:
            values = [normalised[e.video_id, e.judge_id] for e in kept]
        else:
            values = [Fraction(e.total) for e in kept]
        raw = [Fraction(e.total) for e in ordered]
        spread = ordered[-1].total - ordered[0].total
        scores[video_id] = VideoScore(
            video_id=video_id,
            score=_cents(_mean(values)),
            judge_count=len(ordered),
            lowest=ordered[0].total,
            highest=ordered[-1].total,
            spread=spread,
            standard_deviation=_root_in_cents(_variance(raw)) if len(raw) >= 2 else None,
            dropped_judge_ids=dropped,
            disagreement=len(ordered) >= 2 and spread >= disagreement_share * max_total,
        )
    return scores


def _validate(entries: Sequence[JudgeTotal], max_total: Decimal) -> None:
    seen: set[tuple[int, int]] = set()
    for entry in entries:
        pair = entry.video_id, entry.judge_id
        if pair in seen:
            raise ValueError(f"judge {entry.judge_id} scored video {entry.video_id} twice")
        seen.add(pair)
        if not 0 <= entry.total <= max_total:
            raise ValueError(
                f"total {entry.total} of judge {entry.judge_id} for video {entry.video_id} "
                f"is outside 0..{max_total}"
            )


def _normalised_totals(
    entries: Sequence[JudgeTotal], max_total: Decimal
) -> dict[tuple[int, int], Fraction]:
    """Each total with its judge's severity removed, on the points scale, by (video, judge).

    z = (total - the judge's mean) / the judge's population SD, over all that judge's totals.
    A judge with a single total, or the same total everywhere, says nothing about which video
    is better, so all their z are 0. normalised = grand mean + z * grand SD (population, over
    all totals), clamped into [0, max_total], so organizers read the familiar scale.
    """
    if not entries:
        return {}
    by_judge: defaultdict[int, list[Fraction]] = defaultdict(list)
    for entry in entries:
        by_judge[entry.judge_id].append(Fraction(entry.total))
    everything = [total for judge_totals in by_judge.values() for total in judge_totals]
    grand_mean, grand_sd = _mean(everything), _root(_variance(everything))
    stats = {judge: (_mean(ts), _variance(ts)) for judge, ts in by_judge.items()}
    normalised: dict[tuple[int, int], Fraction] = {}
    for entry in entries:
        mean, variance = stats[entry.judge_id]
        z = (Fraction(entry.total) - mean) / _root(variance) if variance else Fraction(0)
        value = min(max(grand_mean + z * grand_sd, Fraction(0)), Fraction(max_total))
        normalised[entry.video_id, entry.judge_id] = value
    return normalised


def _mean(values: Sequence[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _variance(values: Sequence[Fraction]) -> Fraction:
    """Population variance."""
    mean = _mean(values)
    return _mean([(value - mean) ** 2 for value in values])


def _root(value: Fraction) -> Fraction:
    """√value truncated to _ROOT_DIGITS decimal places; integers, so the same everywhere."""
    scale = 10**_ROOT_DIGITS
    return Fraction(math.isqrt(value.numerator * scale * scale // value.denominator), scale)


def _cents(value: Fraction) -> Decimal:
    """A non-negative value rounded to 0.01, half up."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)


def _root_in_cents(variance: Fraction) -> Decimal:
    """√variance rounded to 0.01, half up, exactly: the largest m with m - 1/2 <= 100·√v."""
    # m - 1/2 <= 100·√v  <=>  2m - 1 <= √(40000·v), whose floor is the isqrt of its floor.
    scaled = variance * 40000
    return Decimal((math.isqrt(scaled.numerator // scaled.denominator) + 1) // 2).scaleb(-2)
