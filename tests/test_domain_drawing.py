import functools
import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.domain.drawing import (
    Candidate,
    DrawRules,
    PoolQuestion,
    RulesNotSatisfiable,
    pick_questions,
    rule_problems,
    serve_round,
)

TOPICS = ("T1", "T2", "T3", "T4", "T5", "T6")
DIFFICULTIES = ("easy", "medium", "hard", None)


def pool_of(size: int) -> list[PoolQuestion]:
    return [
        PoolQuestion(qid, TOPICS[qid % len(TOPICS)], DIFFICULTIES[qid % 3]) for qid in range(size)
    ]


def ten() -> DrawRules:
    return DrawRules(10)


@given(size=st.integers(10, 60), seen=st.sets(st.integers(0, 60)), seed=st.integers(0, 2**32))
def test_draws_distinct_questions_unseen_first(size, seen, seed):
    pool = pool_of(size)
    picked = pick_questions(pool, seen, ten(), random.Random(seed))

    assert len(picked) == len(set(picked)) == 10
    assert set(picked) <= {q.question_id for q in pool}
    unseen_available = size - len(seen & set(range(size)))
    assert len(set(picked) - seen) == min(10, unseen_available)


@given(seed=st.integers(0, 2**32))
def test_each_question_keeps_exactly_its_own_choices(seed):
    candidates = [Candidate(qid, tuple(range(qid * 10, qid * 10 + 5))) for qid in range(10)]
    drawn = serve_round(candidates, random.Random(seed))
    assert [item.position for item in drawn] == list(range(1, 11))
    for item, candidate in zip(drawn, candidates, strict=True):
        assert item.question_id == candidate.question_id
        assert sorted(item.choice_ids) == sorted(candidate.choice_ids)


def test_choices_are_shuffled_per_round():
    candidates = [Candidate(1, (1, 2, 3, 4, 5, 6))]
    rng = random.Random(7)
    orders = {serve_round(candidates, rng)[0].choice_ids for _ in range(30)}
    assert len(orders) > 1


def test_draw_varies_between_rounds():
    rng = random.Random(3)
    draws = {frozenset(pick_questions(pool_of(40), set(), ten(), rng)) for _ in range(5)}
    assert len(draws) > 1


def test_a_bank_smaller_than_a_round_is_refused():
    with pytest.raises(RulesNotSatisfiable) as error:
        pick_questions(pool_of(9), set(), ten(), random.Random(1))
    (problem,) = error.value.problems
    assert problem.code == "too_few_questions"
    assert dict(problem.params) == {"needed": 10, "available": 9}


def test_duplicate_pool_entries_do_not_count_twice():
    with pytest.raises(RulesNotSatisfiable):
        pick_questions(pool_of(9) + pool_of(9), set(), ten(), random.Random(1))


def test_two_from_each_of_five_topics():
    rules = DrawRules(10, topic_quotas=dict.fromkeys(TOPICS[:5], 2))
    pool = pool_of(120)
    topic_of = {q.question_id: q.topic for q in pool}
    for seed in range(20):
        picked = pick_questions(pool, set(), rules, random.Random(seed))
        assert Counter(topic_of[qid] for qid in picked) == dict.fromkeys(TOPICS[:5], 2)


quota_rules = st.builds(
    lambda count, topics, difficulties: DrawRules(count, topics, difficulties),
    st.integers(1, 12),
    st.dictionaries(st.sampled_from(TOPICS), st.integers(1, 4), max_size=3),
    st.dictionaries(st.sampled_from(("easy", "medium", "hard")), st.integers(1, 4), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    rules=quota_rules,
    pool=st.lists(st.tuples(st.sampled_from(TOPICS), st.sampled_from(DIFFICULTIES)), max_size=40),
    seen=st.sets(st.integers(0, 40)),
    seed=st.integers(0, 2**32),
)
def test_a_round_meets_every_quota_exactly_or_the_rules_are_refused(rules, pool, seen, seed):
    questions = [PoolQuestion(n, topic, level) for n, (topic, level) in enumerate(pool)]
    by_id = {q.question_id: q for q in questions}
    problems = rule_problems(rules, questions)
    assert (problems == []) == _brute_force_feasible(rules, questions)
    if problems:
        with pytest.raises(RulesNotSatisfiable) as error:
            pick_questions(questions, seen, rules, random.Random(seed))
        assert error.value.problems == problems
        return
    picked = pick_questions(questions, seen, rules, random.Random(seed))
    assert len(picked) == len(set(picked)) == rules.question_count
    topics = Counter(by_id[qid].topic for qid in picked)
    levels = Counter(by_id[qid].difficulty for qid in picked)
    for topic, count in rules.topic_quotas.items():
        assert topics[topic] == count
    for level, count in rules.difficulty_quotas.items():
        assert levels[level] == count


def _brute_force_feasible(rules: DrawRules, questions: list[PoolQuestion]) -> bool:
    """Exhaustive search (memoised) over how many questions each (topic, difficulty) gives."""
    cells = sorted(Counter((q.topic, q.difficulty) for q in questions).items(), key=str)
    topics, levels = sorted(rules.topic_quotas), sorted(rules.difficulty_quotas)

    @functools.cache
    def search(index: int, topic_counts: tuple, level_counts: tuple, total: int) -> bool:
        if index == len(cells):
            return (
                total == rules.question_count
                and topic_counts == tuple(rules.topic_quotas[t] for t in topics)
                and level_counts == tuple(rules.difficulty_quotas[d] for d in levels)
            )
        (topic, level), available = cells[index]
        for take in range(min(available, rules.question_count - total) + 1):
            new_topics = tuple(
                n + take * (t == topic) for n, t in zip(topic_counts, topics, strict=True)
            )
            new_levels = tuple(
                n + take * (d == level) for n, d in zip(level_counts, levels, strict=True)
            )
            if search(index + 1, new_topics, new_levels, total + take):
                return True
        return False

    return search(0, (0,) * len(topics), (0,) * len(levels), 0)


def test_unseen_questions_come_first_under_quotas():
    rules = DrawRules(4, topic_quotas={"T1": 2})
    pool = [PoolQuestion(n, "T1" if n < 4 else "T2", None) for n in range(8)]
    picked = pick_questions(pool, {0, 1, 4, 5}, rules, random.Random(5))
    assert sorted(picked) == [2, 3, 6, 7]


@pytest.mark.parametrize(
    ("rules", "code", "params"),
    [
        (DrawRules(5, {"T1": 6}), "topic_quotas_too_large", {"quotas": 6, "round": 5}),
        (DrawRules(4, {"T1": 3}), "topic_short", {"topic": "T1", "needed": 3, "available": 2}),
        (
            DrawRules(4, {}, {"hard": 3}),
            "difficulty_short",
            {"difficulty": "hard", "needed": 3, "available": 2},
        ),
        (DrawRules(6, {"T1": 1}), "other_topics_short", {"needed": 5, "available": 4}),
        (DrawRules(2, {"T1": 1}, {"hard": 2}), "quotas_clash", {}),
    ],
)
def test_rules_the_bank_cannot_satisfy_are_explained(rules, code, params):
    pool = [
        PoolQuestion(1, "T1", "easy"),
        PoolQuestion(2, "T1", "easy"),
        PoolQuestion(3, "T2", "hard"),
        PoolQuestion(4, "T2", "hard"),
        PoolQuestion(5, "T3", "medium"),
        PoolQuestion(6, "T3", None),
    ]
    (problem,) = rule_problems(rules, pool)
    assert problem.code == code
    assert dict(problem.params) == params


DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


@st.composite
def dated_pools(draw):
    """A pool whose questions each have a window in force (either end may be open), a day,
    and rules with quotas that the questions in force on that day may or may not satisfy."""
    size = draw(st.integers(1, 40))
    pool = []
    for qid in range(size):
        start = draw(st.none() | DAYS)
        end = draw(st.none() | DAYS)
        pool.append(PoolQuestion(qid, TOPICS[qid % 3], DIFFICULTIES[qid % 4], start, end))
    day = draw(DAYS)
    count = draw(st.integers(1, 6))
    topic_quota = draw(st.integers(0, count))
    rules = DrawRules(count, {"T1": topic_quota} if topic_quota else {}, in_force_on=day)
    return pool, rules


@settings(max_examples=300, deadline=None)
@given(dated=dated_pools(), seen=st.sets(st.integers(0, 40)), seed=st.integers(0, 2**32))
def test_no_question_out_of_force_is_ever_drawn_for_a_dated_contest(dated, seen, seed):
    pool, rules = dated
    day = rules.in_force_on
    in_force = {
        q.question_id
        for q in pool
        if (q.in_force_from is None or q.in_force_from <= day)
        and (q.in_force_until is None or day < q.in_force_until)
    }
    try:
        picked = pick_questions(pool, seen, rules, random.Random(seed))
    except RulesNotSatisfiable:
        # Refused only when the questions in force cannot make the round.
        assert rule_problems(rules, [q for q in pool if q.question_id in in_force])
        return
    assert set(picked) <= in_force
    assert len(picked) == rules.question_count


def test_a_contest_without_a_day_draws_questions_out_of_force():
    pool = [PoolQuestion(n, "T1", None, None, date(2020, 1, 1)) for n in range(3)]
    assert sorted(pick_questions(pool, (), DrawRules(3), random.Random(1))) == [0, 1, 2]
    problems = rule_problems(DrawRules(3, in_force_on=date(2026, 12, 1)), pool)
    assert [p.code for p in problems] == ["too_few_questions"]
    assert problems[0].params == {"needed": 3, "available": 0}
