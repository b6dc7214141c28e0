"""The exposure budget, without an app: its bounds, and a drawing that never exceeds them."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contest.domain.drawing import DrawRules, PoolQuestion, RulesNotSatisfiable, pick_questions
from contest.domain.exposure import exposure_budget, local_days_touched, rounds_allowed

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TOPICS = ("A", "B", "C")
LEVELS = ("easy", "hard", None)


def pool_of(sizes: dict[tuple[str, str | None], int]) -> list[PoolQuestion]:
    pool, n = [], 0
    for (topic, level), size in sizes.items():
        for _ in range(size):
            n += 1
            pool.append(PoolQuestion(n, topic, level))
    return pool


pools = st.dictionaries(
    st.tuples(st.sampled_from(TOPICS), st.sampled_from(LEVELS)),
    st.integers(min_value=0, max_value=12),
    min_size=1,
).map(pool_of)
rules = st.builds(
    DrawRules,
    st.integers(min_value=1, max_value=6),
    st.dictionaries(st.sampled_from(TOPICS), st.integers(min_value=1, max_value=3), max_size=2),
    st.dictionaries(st.sampled_from(("easy", "hard")), st.integers(1, 2), max_size=1),
)
round_counts = st.one_of(st.none(), st.integers(min_value=0, max_value=20))


def test_the_seed_plan_window_gives_31_daily_allowances():
    opens = datetime(2021, 9, 15, 7, 0, tzinfo=ZONE)
    closes = datetime(2021, 10, 16, 0, 0, tzinfo=ZONE)  # 24:00 on 15/10
    assert local_days_touched(opens, closes, ZONE) == 31
    allowed = rounds_allowed(opens, closes, ZONE, None, 5, None)
    assert (allowed.by_days, allowed.count) == (155, 155)
    assert rounds_allowed(opens, closes, ZONE, 20, 5, 6).count == 20
    assert rounds_allowed(opens, closes, ZONE, None, None, None).count is None
    assert rounds_allowed(opens, closes, ZONE, None, None, 6).by_pace == 6 * allowed.hours


def test_a_window_within_one_local_day_is_one_day():
    opens = datetime(2021, 9, 15, 1, 0, tzinfo=UTC)  # 08:00 local
    assert local_days_touched(opens, opens + timedelta(hours=3), ZONE) == 1
    assert local_days_touched(opens, opens, ZONE) == 0


def test_the_demo_bank_is_all_seen_in_a_month_of_five_rounds_a_day():
    pool = pool_of({("A", None): 200, ("B", None): 107})
    budget = exposure_budget(pool, DrawRules(10), 155)
    assert (budget.bank, budget.seen) == (307, 307)
    assert budget.exceeds(50)
    assert not budget.exceeds(100)


def test_a_topic_under_a_quota_is_seen_by_its_quota_per_round():
    pool = pool_of({("A", None): 100, ("B", None): 100})
    budget = exposure_budget(pool, DrawRules(10, {"A": 2}), 5)
    a, b = budget.topics
    assert (a.name, a.per_round, a.seen) == ("A", 2, 10)
    assert (b.name, b.per_round, b.seen) == ("B", 8, 40)
    assert budget.seen == 50
    assert budget.share == 0.25


def test_a_topic_left_out_by_full_quotas_is_never_seen():
    pool = pool_of({("A", None): 30, ("B", None): 30})
    budget = exposure_budget(pool, DrawRules(5, {"A": 5}), None)
    assert [(t.name, t.seen) for t in budget.topics] == [("A", 30), ("B", 0)]
    assert budget.seen == 30


def test_unlimited_rounds_see_the_whole_bank():
    pool = pool_of({("A", "easy"): 40, ("B", None): 10})
    budget = exposure_budget(pool, DrawRules(10), None)
    assert budget.rounds is None
    assert budget.seen == budget.bank == 50


@given(pools, rules, round_counts)
def test_the_bounds_hold_and_grow_with_the_rounds(pool, draw_rules, rounds):
    budget = exposure_budget(pool, draw_rules, rounds)
    assert 0 <= budget.seen <= budget.bank == len(pool)
    for group in budget.topics + budget.difficulties:
        assert 0 <= group.seen <= group.bank
    assert budget.seen <= sum(topic.seen for topic in budget.topics)
    if rounds is not None:
        assert budget.seen <= rounds * draw_rules.question_count
        more = exposure_budget(pool, draw_rules, rounds + 1)
        assert more.seen >= budget.seen
        assert more.seen <= exposure_budget(pool, draw_rules, None).seen


@settings(max_examples=60, deadline=None)
@given(pools, rules, st.integers(min_value=1, max_value=12), st.randoms(use_true_random=False))
def test_one_participant_drawing_unseen_questions_first_never_passes_the_budget(
    pool, draw_rules, rounds, rng
):
    try:
        pick_questions(pool, set(), draw_rules, random.Random(0))
    except RulesNotSatisfiable:
        assume(False)
    seen: set[int] = set()
    for _ in range(rounds):
        seen |= set(pick_questions(pool, seen, draw_rules, rng))
    budget = exposure_budget(pool, draw_rules, rounds)
    assert len(seen) <= budget.seen
    topic_of = {question.question_id: question.topic for question in pool}
    for topic in budget.topics:
        assert sum(1 for qid in seen if topic_of[qid] == topic.name) <= topic.seen
    if not draw_rules.topic_quotas and not draw_rules.difficulty_quotas:
        assert len(seen) == budget.seen  # exact without quotas: unseen questions come first
