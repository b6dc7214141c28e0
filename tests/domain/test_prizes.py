"""Prizes: unit scores, the video ranking, allocation with ties and decisions, and properties."""

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.domain.prizes import (
    INDIVIDUAL,
    SEED_PRIZE_TABLE,
    UNIT,
    VIDEO,
    Award,
    ContestUnit,
    EligibilityOptions,
    PrizeTier,
    ScoreComponent,
    ScoreWeights,
    TieDecision,
    UnitScore,
    VideoEntry,
    allocate_prizes,
    par_bonus_units,
    rank_videos,
    score_units,
    table_total,
    validate_prize_table,
)
from contest.domain.ranking import RoundResult, rank_participants

T0 = datetime(2021, 9, 15, 7, tzinfo=UTC)
NOTHING = ScoreComponent(Decimal(0), Decimal(0), Decimal(0), 0, Decimal(0))
UNIT_TIERS = [t for t in SEED_PRIZE_TABLE if t.category == UNIT]  # 1 + 2 + 3 + 4 places


def competition_ranks(scores: dict[int, int]) -> list[tuple[int, int]]:
    """(rank, id) by score, highest first; equal scores share a rank; listed by id."""
    ordered = sorted(scores, key=lambda entry_id: (-scores[entry_id], entry_id))
    lines: list[tuple[int, int]] = []
    for index, entry_id in enumerate(ordered):
        tied = index and scores[entry_id] == scores[ordered[index - 1]]
        lines.append((lines[-1][0] if tied else index + 1, entry_id))
    return lines


def unit_lines(scores: dict[int, int], without_video=frozenset()) -> list[UnitScore]:
    """Ranked unit lines with these totals, each with a participant; only the rank, id and
    has_video matter here."""
    return [
        UnitScore(
            rank,
            unit_id,
            f"U{unit_id:02d}",
            Decimal(scores[unit_id]),
            NOTHING,
            NOTHING,
            NOTHING,
            1,
            unit_id not in without_video,
            None,
        )  # fmt: skip
        for rank, unit_id in competition_ranks(scores)
    ]


def people(correct: dict[int, int], units: dict[int, int] | None = None, **prediction):
    """The individual ranking of one round each: equal correct counts are true ties."""
    rounds = [RoundResult(pid, pid, n, 60_000, T0) for pid, n in correct.items()]
    return rank_participants(rounds, **prediction)


def winners(prize_list, category) -> list[tuple[str, int]]:
    return [(a.tier_name, a.entry_id) for a in prize_list.awards if a.category == category]


def unit_order(prize_list) -> list[int]:
    return [entry_id for _, entry_id in winners(prize_list, UNIT)]


# The prize table


def test_the_seed_table_pays_61_million_in_ten_places_per_category():
    assert table_total(SEED_PRIZE_TABLE) == 61_000_000
    places = Counter()
    for tier in SEED_PRIZE_TABLE:
        places[tier.category] += tier.count
    assert places == {UNIT: 10, VIDEO: 10, INDIVIDUAL: 10}
    validate_prize_table(SEED_PRIZE_TABLE)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("Giải", "team", 1, 100, 1), "category"),
        (("Giải", UNIT, 0, 100, 1), "count"),
        (("Giải", UNIT, 1, -1, 1), "amount"),
        (("Giải", UNIT, 1, 1.5, 1), "amount"),
        ((" ", UNIT, 1, 100, 1), "name"),
    ],
)
def test_a_malformed_tier_is_rejected(arguments, message):
    with pytest.raises(ValueError, match=message):
        PrizeTier(*arguments)


def test_two_tiers_of_a_category_at_one_position_are_rejected():
    table = [PrizeTier("A", UNIT, 1, 1, 1), PrizeTier("B", UNIT, 1, 1, 1)]
    with pytest.raises(ValueError, match="position"):
        allocate_prizes(table)


# The full seed contest


def synthetic_contest(seed: int = 2021):
    """46 units, 200 participants with 1-3 rounds, 60 videos (14 units have two); no ties."""
    rng = random.Random(seed)
    units = [ContestUnit(u, f"U{u:02d}", rng.randint(20, 300)) for u in range(1, 47)]
    participant_units = {p: rng.randint(1, 46) for p in range(1, 201)}
    durations = iter(rng.sample(range(30_000, 600_000), 600))  # distinct: no true ties
    rounds = [
        RoundResult(p, p * 10 + k, rng.randint(0, 10), next(durations), T0 + timedelta(hours=p))
        for p in range(1, 201)
        for k in range(rng.randint(1, 3))
    ]
    video_units = list(range(1, 47)) + [1] + rng.sample(range(2, 47), 13)
    scores = sorted(rng.sample(range(4000, 10000), 60), reverse=True)
    # Unit 1's two videos (1 and 47) are the best two: its second must give way.
    rest = rng.sample(scores[2:], 58)
    scores = [scores[0], *rest[:45], scores[1], *rest[45:]]
    videos = [
        VideoEntry(v, unit, Decimal(score).scaleb(-2))
        for v, (unit, score) in enumerate(zip(video_units, scores, strict=True), start=1)
    ]
    return units, participant_units, rounds, videos


def test_a_full_allocation_of_the_seed_contest_awards_all_61_million():
    units, participant_units, rounds, videos = synthetic_contest()
    scores = score_units(
        units, rounds, participant_units, videos, questions_per_round=10, rubric_max=Decimal(100)
    )
    assert len({s.total for s in scores}) == 46  # this seed has no tie among the units
    prize_list = allocate_prizes(
        SEED_PRIZE_TABLE,
        units=scores,
        videos=rank_videos(videos),
        individuals=rank_participants(rounds),
        participant_units=participant_units,
        options=EligibilityOptions(unit_requires_video=True),
    )
    assert prize_list.complete
    assert [name for name, _ in winners(prize_list, UNIT)] == (
        ["Giải Nhất"] + ["Giải Nhì"] * 2 + ["Giải Ba"] * 3 + ["Giải Khuyến khích"] * 4
    )
    assert unit_order(prize_list) == [s.unit_id for s in scores[:10]]
    video_awards = [a for a in prize_list.awards if a.category == VIDEO]
    assert len(video_awards) == 10
    assert len({a.unit_id for a in video_awards}) == 10
    # Unit 1's two videos are the best two; its second gives way and the 11th gets the 10th.
    assert [a.rank for a in video_awards] == [1, *range(3, 12)]
    assert video_awards[0].entry_id == 1
    assert len(winners(prize_list, INDIVIDUAL)) == 10
    assert prize_list.total_amount == 61_000_000
    assert prize_list.total_by_category == {
        UNIT: 51_000_000,
        VIDEO: 5_000_000,
        INDIVIDUAL: 5_000_000,
    }
    bonus = par_bonus_units(prize_list.awards, participant_units)
    expected = {a.unit_id for a in prize_list.awards}
    assert [b.unit_id for b in bonus] == sorted(expected)


# Ties inside one tier, and ties at a boundary


def test_a_tie_inside_one_tier_shares_that_tier():
    # 2 and 3 tie for 2nd with two 2nd places: both 2nd, and 4 is third.
    prize_list = allocate_prizes(UNIT_TIERS, units=unit_lines({1: 90, 2: 80, 3: 80, 4: 70}))
    assert prize_list.complete
    assert winners(prize_list, UNIT) == [
        ("Giải Nhất", 1),
        ("Giải Nhì", 2),
        ("Giải Nhì", 3),
        ("Giải Ba", 4),
    ]
    assert not any(a.decided_by_tie for a in prize_list.awards)


def test_a_tie_filling_exactly_the_last_places_gets_them_all():
    # Six in a row then four tied for 7th: the four consolation places go to all four.
    scores = {u: 100 - u for u in range(1, 7)} | dict.fromkeys(range(7, 11), 50) | {11: 40}
    prize_list = allocate_prizes(UNIT_TIERS, units=unit_lines(scores))
    assert prize_list.complete
    assert unit_order(prize_list) == list(range(1, 11))


def test_a_tie_for_first_is_pending_and_stops_the_unit_prizes_only():
    table = UNIT_TIERS + [PrizeTier("Giải cá nhân", INDIVIDUAL, 2, 500_000, 1)]
    prize_list = allocate_prizes(
        table, units=unit_lines({1: 90, 2: 90, 3: 80}), individuals=people({7: 9, 8: 8})
    )
    (tie,) = prize_list.pending_ties
    assert (tie.tie_id, tie.category, tie.rank, tie.entry_ids) == ("unit:1", UNIT, 1, (1, 2))
    assert (tie.places, tie.tier_names, tie.remaining_places) == (2, ("Giải Nhất", "Giải Nhì"), 10)
    assert winners(prize_list, UNIT) == []  # unit 3 waits too: its place depends on the tie
    assert winners(prize_list, INDIVIDUAL) == [("Giải cá nhân", 7), ("Giải cá nhân", 8)]
    assert prize_list.total_amount == 1_000_000
    assert not prize_list.complete


def test_a_decision_settles_a_tie_for_first_and_allocation_goes_on():
    decision = TieDecision(order=(2, 1), reason="Video của đơn vị 2 điểm cao hơn")
    prize_list = allocate_prizes(
        UNIT_TIERS, units=unit_lines({1: 90, 2: 90, 3: 80}), decisions={"unit:1": decision}
    )
    assert prize_list.complete
    assert winners(prize_list, UNIT) == [("Giải Nhất", 2), ("Giải Nhì", 1), ("Giải Nhì", 3)]
    assert [a.decided_by_tie for a in prize_list.awards] == [True, True, False]
    assert prize_list.awards[0].tie_id == "unit:1"
    assert prize_list.applied_decisions == {"unit:1": decision}
    assert prize_list.unused_decision_ids == ()


def test_three_tied_for_two_second_places_straddle_second_and_third():
    scores = {1: 90, 2: 80, 3: 80, 4: 80, 5: 70}
    prize_list = allocate_prizes(UNIT_TIERS, units=unit_lines(scores))
    (tie,) = prize_list.pending_ties
    assert (tie.tie_id, tie.entry_ids, tie.places) == ("unit:2", (2, 3, 4), 3)
    assert tie.tier_names == ("Giải Nhì", "Giải Ba")
    assert winners(prize_list, UNIT) == [("Giải Nhất", 1)]
    decided = allocate_prizes(
        UNIT_TIERS,
        units=unit_lines(scores),
        decisions={"unit:2": TieDecision((4, 2, 3), "Tỉ lệ tham gia cao hơn")},
    )
    assert winners(decided, UNIT) == [
        ("Giải Nhất", 1),
        ("Giải Nhì", 4),
        ("Giải Nhì", 2),
        ("Giải Ba", 3),
        ("Giải Ba", 5),
    ]


def test_a_tie_across_the_last_prize_is_pending_and_nothing_is_silently_awarded():
    table = [PrizeTier("Giải cá nhân", INDIVIDUAL, 10, 500_000, 1)]
    correct = {p: 20 - p for p in range(1, 9)} | dict.fromkeys(range(9, 13), 5) | {13: 1}
    prize_list = allocate_prizes(table, individuals=people(correct))
    (tie,) = prize_list.pending_ties
    assert (tie.tie_id, tie.entry_ids) == ("individual:9", (9, 10, 11, 12))
    assert (tie.places, tie.tier_names, tie.remaining_places) == (2, ("Giải cá nhân",), 2)
    assert [entry_id for _, entry_id in winners(prize_list, INDIVIDUAL)] == list(range(1, 9))
    assert prize_list.total_amount == 4_000_000

    decision = TieDecision((12, 10, 9, 11), "Câu hỏi phụ do Ban Tổ chức đặt ra")
    decided = allocate_prizes(table, individuals=people(correct), decisions={tie.tie_id: decision})
    assert decided.complete
    assert [entry_id for _, entry_id in winners(decided, INDIVIDUAL)] == [*range(1, 9), 12, 10]
    assert [a.decided_by_tie for a in decided.awards][-3:] == [False, True, True]
    assert decided.total_amount == 5_000_000


def test_a_tie_across_the_third_and_consolation_tiers_leaves_the_rest_pending():
    # Five in a row take 1st-3rd but one third place; 6 and 7 tie for it.
    scores = {u: 100 - u for u in range(1, 6)} | {6: 50, 7: 50} | {u: 40 - u for u in range(8, 12)}
    prize_list = allocate_prizes(UNIT_TIERS, units=unit_lines(scores))
    (tie,) = prize_list.pending_ties
    assert (tie.rank, tie.tier_names, tie.remaining_places) == (
        6,
        ("Giải Ba", "Giải Khuyến khích"),
        5,
    )
    assert unit_order(prize_list) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "order",
    [(9, 10, 11), (9, 10, 11, 12, 13), (9, 10, 11, 11), (9, 10, 11, 99)],
    ids=["missing", "extra", "twice", "stranger"],
)
def test_a_decision_that_does_not_match_its_tie_is_rejected(order):
    table = [PrizeTier("Giải cá nhân", INDIVIDUAL, 10, 500_000, 1)]
    correct = {p: 20 - p for p in range(1, 9)} | dict.fromkeys(range(9, 13), 5)
    with pytest.raises(ValueError, match="individual:9"):
        allocate_prizes(
            table, individuals=people(correct), decisions={"individual:9": TieDecision(order, "x")}
        )


def test_a_decision_needs_a_reason():
    with pytest.raises(ValueError, match="reason"):
        allocate_prizes(
            UNIT_TIERS,
            units=unit_lines({1: 9, 2: 9}),
            decisions={"unit:1": TieDecision((1, 2), "  ")},
        )


def test_a_decision_for_a_tie_that_does_not_arise_is_reported_unused():
    prize_list = allocate_prizes(
        UNIT_TIERS,
        units=unit_lines({1: 9, 2: 8}),
        decisions={"unit:1": TieDecision((2, 1), "cũ")},
    )
    assert unit_order(prize_list) == [1, 2]
    assert prize_list.unused_decision_ids == ("unit:1",)
    assert not any(a.decided_by_tie for a in prize_list.awards)


# Eligibility


def test_a_unit_wins_one_video_prize_and_the_eleventh_video_takes_the_tenth_place():
    # Unit 1's two videos are 1st and 2nd; units 2..11 own the next ten.
    videos = [VideoEntry(1, 1, Decimal("99")), VideoEntry(2, 1, Decimal("98"))]
    videos += [VideoEntry(v, v - 1, Decimal(100 - v)) for v in range(3, 13)]
    videos.append(VideoEntry(13, 12, None))  # unscored: not ranked at all
    ranking = rank_videos(videos)
    assert [(line.rank, line.video_id, line.eligible) for line in ranking[:3]] == [
        (1, 1, True),
        (2, 2, False),
        (3, 3, True),
    ]
    assert 13 not in {line.video_id for line in ranking}
    table = [t for t in SEED_PRIZE_TABLE if t.category == VIDEO]
    prize_list = allocate_prizes(table, videos=ranking)
    awarded = [a.entry_id for a in prize_list.awards]
    assert awarded == [1, *range(3, 12)]
    assert prize_list.awards[-1].rank == 11
    assert len({a.unit_id for a in prize_list.awards}) == 10


def test_a_unit_whose_two_videos_tie_counts_once_in_the_tie():
    ranking = rank_videos(
        [
            VideoEntry(5, 1, Decimal(90)),
            VideoEntry(4, 1, Decimal(90)),
            VideoEntry(6, 2, Decimal(80)),
        ]
    )
    assert [(line.video_id, line.eligible) for line in ranking] == [
        (4, True),
        (5, False),
        (6, True),
    ]
    prize_list = allocate_prizes([PrizeTier("Giải video", VIDEO, 2, 1, 1)], videos=ranking)
    assert prize_list.complete
    assert [a.entry_id for a in prize_list.awards] == [4, 6]


def test_a_unit_without_a_video_takes_no_collective_prize_when_required():
    units = unit_lines({1: 95, 2: 90, 3: 80}, without_video={1})
    assert unit_order(allocate_prizes(UNIT_TIERS, units=units)) == [1, 2, 3]
    required = allocate_prizes(
        UNIT_TIERS, units=units, options=EligibilityOptions(unit_requires_video=True)
    )
    assert winners(required, UNIT) == [("Giải Nhất", 2), ("Giải Nhì", 3)]


def test_units_that_took_no_part_take_no_collective_prize_and_make_no_tie():
    """Four units played, one only sent a video, forty did nothing: without the rule the
    forty would tie at 0 for the last places and wait for the organizers to order them."""
    active = unit_lines({1: 40, 2: 30, 3: 20, 4: 10})
    video_only = replace(unit_lines({5: 5})[0], rank=5, participants=0)
    idle = [
        replace(line, rank=6, participants=0, has_video=False)
        for line in unit_lines(dict.fromkeys(range(6, 46), 0))
    ]
    prize_list = allocate_prizes(UNIT_TIERS, units=[*active, video_only, *idle])
    assert prize_list.complete
    assert unit_order(prize_list) == [1, 2, 3, 4, 5]
    assert prize_list.total_amount == 10_000_000 + 2 * 7_000_000 + 2 * 5_000_000


def with_participation(line: UnitScore, participants: int, headcount: int) -> UnitScore:
    """The line with this participation (the rest of its score unchanged)."""
    part = ScoreComponent(Decimal(participants), Decimal(headcount), Decimal(0), 30, Decimal(0))
    return replace(line, participation=part, participants=participants)


def test_a_unit_below_the_minimum_participation_takes_no_collective_prize():
    """The demo's close: a unit with 1 of its 160 staff taking part won a unit prize."""
    one, two, three = unit_lines({1: 95, 2: 90, 3: 80})
    units = [
        with_participation(one, 1, 160),  # 0.625 %
        with_participation(two, 16, 160),  # exactly 10 %: reaches it
        with_participation(three, 159, 1600),  # 9.9375 %: just below
    ]
    assert unit_order(allocate_prizes(UNIT_TIERS, units=units)) == [1, 2, 3]
    minimum = allocate_prizes(
        UNIT_TIERS, units=units, options=EligibilityOptions(min_participation_percent=10)
    )
    assert winners(minimum, UNIT) == [("Giải Nhất", 2)]


def test_a_unit_without_a_headcount_reaches_no_minimum_above_zero():
    (line,) = unit_lines({1: 50})
    units = [with_participation(line, 3, 0)]
    assert unit_order(allocate_prizes(UNIT_TIERS, units=units)) == [1]
    options = EligibilityOptions(min_participation_percent=1)
    assert unit_order(allocate_prizes(UNIT_TIERS, units=units, options=options)) == []


@pytest.mark.parametrize("minimum", [-1, 101, 2.5, None])
def test_a_minimum_participation_outside_0_to_100_is_rejected(minimum):
    with pytest.raises(ValueError, match="minimum participation"):
        EligibilityOptions(min_participation_percent=minimum)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), min_size=1, max_size=12),
    st.integers(0, 100),
)
def test_every_unit_prize_goes_to_a_unit_at_or_above_the_minimum(rates, minimum):
    scores = {n + 1: 100 - n for n in range(len(rates))}  # distinct totals: no tie
    units = [with_participation(line, *rates[line.unit_id - 1]) for line in unit_lines(scores)]
    options = EligibilityOptions(min_participation_percent=minimum)
    prize_list = allocate_prizes(UNIT_TIERS, units=units, options=options)
    by_id = {line.unit_id: rates[line.unit_id - 1] for line in units}

    def reaches(unit_id: int) -> bool:  # every line has a video, so it took part
        participants, headcount = by_id[unit_id]
        return minimum == 0 or (headcount > 0 and participants * 100 >= minimum * headcount)

    assert all(reaches(unit_id) for unit_id in unit_order(prize_list))
    reaching = [line.unit_id for line in units if reaches(line.unit_id)]
    assert unit_order(prize_list) == reaching[:10]


def test_at_most_k_individual_prizes_per_unit():
    table = [PrizeTier("Giải cá nhân", INDIVIDUAL, 4, 500_000, 1)]
    ranking = people({p: 20 - p for p in range(1, 8)})
    units = {1: 1, 2: 1, 3: 1, 4: 2, 5: 1, 6: 3, 7: None}
    unlimited = allocate_prizes(table, individuals=ranking, participant_units=units)
    assert [a.entry_id for a in unlimited.awards] == [1, 2, 3, 4]
    limited = allocate_prizes(
        table,
        individuals=ranking,
        participant_units=units,
        options=EligibilityOptions(max_individual_prizes_per_unit=2),
    )
    assert [a.entry_id for a in limited.awards] == [1, 2, 4, 6]
    assert [a.unit_id for a in limited.awards] == [1, 1, 2, 3]


def test_the_unit_limit_makes_a_tie_inside_one_tier_contested():
    # Unit 1 holds one prize of K = 2; its members 2 and 3 tie: only one of them may win.
    table = [PrizeTier("Giải cá nhân", INDIVIDUAL, 5, 500_000, 1)]
    ranking = people({1: 9, 2: 8, 3: 8, 4: 8, 5: 7})
    units = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
    options = EligibilityOptions(max_individual_prizes_per_unit=2)
    prize_list = allocate_prizes(
        table, individuals=ranking, participant_units=units, options=options
    )
    (tie,) = prize_list.pending_ties
    assert (tie.tie_id, tie.entry_ids, tie.places, tie.unit_limited) == (
        "individual:2",
        (2, 3, 4),
        2,
        True,
    )
    assert [a.entry_id for a in prize_list.awards] == [1]
    decided = allocate_prizes(
        table,
        individuals=ranking,
        participant_units=units,
        options=options,
        decisions={"individual:2": TieDecision((3, 4, 2), "Nộp bài sớm hơn")},
    )
    assert [(a.entry_id, a.decided_by_tie) for a in decided.awards] == [
        (1, False),
        (3, True),
        (4, True),
        (5, False),
    ]


def test_the_unit_limit_needs_every_participants_unit():
    with pytest.raises(ValueError, match="participant 2"):
        allocate_prizes(
            [PrizeTier("Giải cá nhân", INDIVIDUAL, 1, 1, 1)],
            individuals=people({1: 9, 2: 8}),
            participant_units={1: 1},
            options=EligibilityOptions(max_individual_prizes_per_unit=1),
        )
    with pytest.raises(ValueError, match="positive"):
        EligibilityOptions(max_individual_prizes_per_unit=0)


def test_the_prediction_breaks_a_tie_only_once_its_true_value_is_known():
    table = [PrizeTier("Giải cá nhân", INDIVIDUAL, 2, 500_000, 1)]
    correct = {1: 9, 2: 9, 3: 9, 4: 9}
    predictions = {1: 40, 2: 12, 3: 17}  # 4 predicted nothing
    before = allocate_prizes(table, individuals=people(correct, predictions=predictions))
    assert before.pending_ties[0].entry_ids == (1, 2, 3, 4)
    after = allocate_prizes(
        table, individuals=people(correct, predictions=predictions, true_value=15)
    )
    assert after.complete
    assert [a.entry_id for a in after.awards] == [3, 2]  # 2 off, then 3 off; 1 and 4 miss


# The unit score


def unit_score_example(weights=None, headcount=8):
    units = [ContestUnit(1, "SNV", headcount)]
    rounds = [
        RoundResult(11, 1, 8, 100_000, T0),
        RoundResult(11, 2, 9, 120_000, T0),  # 11's best round: 9 correct
        RoundResult(12, 3, 7, 90_000, T0),
        RoundResult(13, 4, 6, 80_000, T0),
        RoundResult(14, 5, 10, 80_000, T0),  # of another unit
    ]
    videos = [
        VideoEntry(1, 1, Decimal("85.25")),
        VideoEntry(2, 1, Decimal("60")),
        VideoEntry(3, 1, None),
    ]
    participant_units = {11: 1, 12: 1, 13: 1, 14: None}
    options = {"weights": weights} if weights else {}
    (score,) = score_units(
        units,
        rounds,
        participant_units,
        videos,
        questions_per_round=10,
        rubric_max=Decimal(100),
        **options,
    )
    return score


def test_a_unit_score_worked_by_hand():
    # participation 3/8 = 0.375 x 30 = 11.25; accuracy (9+7+6)/30 = 0.7333 x 30 = 22.00;
    # video 85.25/100 = 0.8525 x 40 = 34.10; total 67.35.
    score = unit_score_example()
    assert score.participants == 3
    assert score.participation == ScoreComponent(
        Decimal(3), Decimal(8), Decimal("0.375"), 30, Decimal("11.25")
    )
    assert score.accuracy == ScoreComponent(
        Decimal(22), Decimal(30), Decimal("0.7333"), 30, Decimal("22.00")
    )
    assert score.video == ScoreComponent(
        Decimal("85.25"), Decimal(100), Decimal("0.8525"), 40, Decimal("34.10")
    )
    assert score.total == Decimal("67.35")
    assert (score.rank, score.has_video, score.best_video_id) == (1, True, 1)


def test_unit_points_round_half_up_and_add_up_to_the_total():
    # 3/8 x 33 = 12.375 -> 12.38; 22/30 x 33 = 24.2; 0.8525 x 34 = 28.985 -> 28.99; 65.57.
    score = unit_score_example(ScoreWeights(33, 33, 34))
    points = score.participation.points, score.accuracy.points, score.video.points
    assert points == (Decimal("12.38"), Decimal("24.20"), Decimal("28.99"))
    assert score.total == Decimal("65.57") == sum(points)


def test_participation_is_zero_without_a_headcount_and_capped_at_one():
    assert unit_score_example(headcount=0).participation.points == 0
    capped = unit_score_example(headcount=2).participation
    assert (capped.numerator, capped.value, capped.points) == (3, 1, 30)


def test_a_unit_nobody_played_for_scores_only_its_video():
    units = [ContestUnit(1, "A", 10), ContestUnit(2, "B", 10)]
    scores = score_units(
        units,
        [],
        {},
        [VideoEntry(7, 2, None)],
        questions_per_round=10,
        rubric_max=Decimal(100),
    )
    assert [(s.code, s.rank, s.total, s.has_video) for s in scores] == [
        ("A", 1, 0, False),
        ("B", 1, 0, True),
    ]
    assert scores[0].accuracy.value == 0


def test_units_with_equal_totals_share_a_rank_listed_by_code():
    units = [ContestUnit(1, "C", 1), ContestUnit(2, "A", 1), ContestUnit(3, "B", 1)]
    videos = [VideoEntry(1, 1, Decimal(50)), VideoEntry(2, 2, Decimal(50)), VideoEntry(3, 3, None)]
    scores = score_units(units, [], {}, videos, questions_per_round=10, rubric_max=Decimal(100))
    assert [(s.rank, s.code) for s in scores] == [(1, "A"), (1, "C"), (3, "B")]


@pytest.mark.parametrize(
    "weights", [(30, 30, 39), (50, 60, -10), (30.0, 30, 40), (True, 59, 40), (0, 0, 0)]
)
def test_invalid_weights_are_rejected(weights):
    with pytest.raises(ValueError, match="weights"):
        ScoreWeights(*weights)


def test_bad_score_inputs_are_rejected():
    units = [ContestUnit(1, "A", 10)]
    kwargs = {"questions_per_round": 10, "rubric_max": Decimal(100)}
    with pytest.raises(ValueError, match="outside"):
        score_units(units, [], {}, [VideoEntry(1, 1, Decimal(101))], **kwargs)
    with pytest.raises(ValueError, match="unknown unit"):
        score_units(units, [], {}, [VideoEntry(1, 2, Decimal(1))], **kwargs)
    with pytest.raises(ValueError, match="no unit entry"):
        score_units(units, [RoundResult(5, 1, 3, 1, T0)], {}, [], **kwargs)
    with pytest.raises(ValueError, match="11 correct"):
        score_units(units, [RoundResult(5, 1, 11, 1, T0)], {5: 1}, [], **kwargs)
    with pytest.raises(ValueError, match="attempt 1"):
        score_units(
            units, [RoundResult(5, 1, 3, 1, T0)], {5: 1}, [], questions_per_round={}, rubric_max=1
        )


def test_questions_per_round_may_differ_by_attempt():
    units = [ContestUnit(1, "A", 2)]
    rounds = [RoundResult(5, 1, 3, 1, T0), RoundResult(6, 2, 15, 1, T0)]
    (score,) = score_units(
        units, rounds, {5: 1, 6: 1}, [], questions_per_round={1: 5, 2: 20}, rubric_max=Decimal(1)
    )
    assert (score.accuracy.numerator, score.accuracy.denominator) == (18, 25)


# The PAR Index bonus list


def test_the_par_bonus_lists_units_with_a_collective_or_an_individual_prize():
    awards = [
        Award(UNIT, "Giải Nhất", 10_000_000, 4, 1, False, 4),
        Award(VIDEO, "Giải video", 500_000, 70, 1, False, 9),
        Award(INDIVIDUAL, "Giải cá nhân", 500_000, 101, 1, False),
        Award(INDIVIDUAL, "Giải cá nhân", 500_000, 102, 2, False),
        Award(INDIVIDUAL, "Giải cá nhân", 500_000, 103, 3, False),  # no unit
    ]
    bonus = par_bonus_units(awards, {101: 4, 102: 2, 103: None})
    assert [(b.unit_id, b.reasons) for b in bonus] == [
        (2, ("individual: Giải cá nhân",)),
        (4, ("unit: Giải Nhất", "individual: Giải cá nhân")),
        (9, ("video: Giải video",)),
    ]


# Properties


@st.composite
def tables(draw):
    tiers = []
    for category in (UNIT, VIDEO, INDIVIDUAL):
        for position in range(1, draw(st.integers(0, 3)) + 1):
            count, amount = draw(st.integers(1, 4)), draw(st.integers(0, 10_000_000))
            tiers.append(PrizeTier(f"{category} {position}", category, count, amount, position))
    return tiers


@st.composite
def contests(draw, distinct: bool = False):
    """Rankings of all three categories; small score ranges make ties common unless distinct."""
    scores = st.integers(0, 1000) if distinct else st.integers(0, 4)
    unit_scores = draw(st.dictionaries(st.integers(1, 12), scores, max_size=12))
    if distinct:
        unit_scores = {u: s * 100 + u for u, s in unit_scores.items()}
    units = unit_lines(
        unit_scores, without_video=draw(st.frozensets(st.sampled_from(range(1, 13))))
    )
    video_rows = draw(st.lists(st.tuples(st.integers(1, 12), scores), max_size=15))
    videos = rank_videos(
        VideoEntry(v, unit, Decimal(score * 100 + v if distinct else score))
        for v, (unit, score) in enumerate(video_rows, start=1)
    )
    correct = draw(st.dictionaries(st.integers(1, 30), scores, max_size=20))
    if distinct:
        correct = {p: s * 100 + p for p, s in correct.items()}
    participant_units = {p: draw(st.sampled_from([None, 1, 2, 3])) for p in correct}
    return units, videos, people(correct), participant_units


def ranked_entries(units, videos, individuals):
    """(entry id, rank, statically eligible, unit) per category."""
    return {
        UNIT: [(s.unit_id, s.rank, True, s.unit_id) for s in units],
        VIDEO: [(v.video_id, v.rank, v.eligible, v.unit_id) for v in videos],
        INDIVIDUAL: [(line.result.participant_id, line.rank, True, None) for line in individuals],
    }


@settings(max_examples=150, deadline=None)
@given(tables(), contests(), st.booleans(), st.sampled_from([None, 1, 2]))
def test_allocation_properties(table, contest, requires_video, limit):
    units, videos, individuals, participant_units = contest
    options = EligibilityOptions(requires_video, limit)
    prize_list = allocate_prizes(
        table,
        units=units,
        videos=videos,
        individuals=individuals,
        participant_units=participant_units,
        options=options,
    )
    assert prize_list.total_amount <= table_total(table)
    assert prize_list.total_amount == sum(a.amount for a in prize_list.awards)
    assert sum(prize_list.total_by_category.values()) == prize_list.total_amount
    entries = ranked_entries(units, videos, individuals)
    no_video = {s.unit_id for s in units if not s.has_video}
    for category, ranking in entries.items():
        awards = [a for a in prize_list.awards if a.category == category]
        assert len({a.entry_id for a in awards}) == len(awards)
        places = [t for t in table if t.category == category]
        assert len(awards) <= sum(t.count for t in places)
        # Awards come in ranking order and in tier order.
        position = {t.name: t.position for t in places}
        assert [a.rank for a in awards] == sorted(a.rank for a in awards)
        tiers = [position[a.tier_name] for a in awards]
        assert tiers == sorted(tiers)
        # Nobody eligible is passed over for a worse-ranked entry.
        held = Counter(participant_units[a.entry_id] for a in awards if category == INDIVIDUAL)
        awarded = {a.entry_id for a in awards}
        worst = max((a.rank for a in awards), default=0)
        for entry_id, rank, eligible, _ in ranking:
            if entry_id in awarded or rank >= worst or not eligible:
                continue
            if category == UNIT:
                assert requires_video
                assert entry_id in no_video
            elif category == INDIVIDUAL:
                unit = participant_units[entry_id]
                assert limit is not None
                assert unit is not None
                assert held[unit] == limit
            else:
                raise AssertionError(f"video {entry_id} passed over")
        pending = [t for t in prize_list.pending_ties if t.category == category]
        if pending:
            (tie,) = pending
            assert all(a.rank < tie.rank for a in awards)
            assert len(awards) + tie.remaining_places == sum(t.count for t in places)
            assert tie.places <= tie.remaining_places
            assert 1 <= tie.places <= len(tie.entry_ids)
    if limit is not None:
        held = Counter(
            participant_units[a.entry_id] for a in prize_list.awards if a.category == INDIVIDUAL
        )
        assert all(count <= limit for unit, count in held.items() if unit is not None)


@settings(max_examples=100, deadline=None)
@given(tables(), contests(), st.randoms(use_true_random=False))
def test_deciding_every_pending_tie_completes_the_list(table, contest, rng):
    units, videos, individuals, _ = contest
    decisions: dict[str, TieDecision] = {}
    for _ in range(40):
        prize_list = allocate_prizes(
            table, units=units, videos=videos, individuals=individuals, decisions=decisions
        )
        if prize_list.complete:
            break
        for tie in prize_list.pending_ties:
            order = tuple(rng.sample(tie.entry_ids, len(tie.entry_ids)))
            decisions[tie.tie_id] = TieDecision(order, "bốc thăm")
    assert prize_list.complete
    assert set(prize_list.applied_decisions) == set(decisions)
    eligible = {
        UNIT: len(units),
        VIDEO: sum(v.eligible for v in videos),
        INDIVIDUAL: len(individuals),
    }
    for category, count in eligible.items():
        places = sum(t.count for t in table if t.category == category)
        awards = [a for a in prize_list.awards if a.category == category]
        assert len(awards) == min(count, places)


@settings(max_examples=100, deadline=None)
@given(tables(), contests(distinct=True))
def test_without_ties_every_place_goes_to_the_best_eligible_entries(table, contest):
    units, videos, individuals, _ = contest
    prize_list = allocate_prizes(table, units=units, videos=videos, individuals=individuals)
    assert prize_list.complete
    for category, ranking in ranked_entries(units, videos, individuals).items():
        places = sum(t.count for t in table if t.category == category)
        eligible = [entry_id for entry_id, _, ok, _ in ranking if ok]
        awards = [a.entry_id for a in prize_list.awards if a.category == category]
        assert awards == eligible[: min(len(eligible), places)]
