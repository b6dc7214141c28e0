import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.drawing import Candidate, NotEnoughQuestions, draw_round


def bank(size: int, choices: int = 4) -> list[Candidate]:
    return [
        Candidate(qid, tuple(range(qid * 10, qid * 10 + choices))) for qid in range(1, size + 1)
    ]


@given(
    size=st.integers(10, 60),
    seen=st.sets(st.integers(1, 60)),
    seed=st.integers(0, 2**32),
)
def test_draws_distinct_questions_unseen_first(size, seen, seed):
    candidates = bank(size)
    drawn = draw_round(candidates, seen, 10, random.Random(seed))

    ids = [item.question_id for item in drawn]
    assert len(ids) == len(set(ids)) == 10
    assert set(ids) <= {c.question_id for c in candidates}
    unseen_available = size - len(seen & set(range(1, size + 1)))
    assert len(set(ids) - seen) == min(10, unseen_available)
    assert [item.position for item in drawn] == list(range(1, 11))


@given(seed=st.integers(0, 2**32))
def test_each_question_keeps_exactly_its_own_choices(seed):
    candidates = {c.question_id: c for c in bank(20, choices=5)}
    for item in draw_round(list(candidates.values()), set(), 10, random.Random(seed)):
        assert sorted(item.choice_ids) == sorted(candidates[item.question_id].choice_ids)


def test_choices_are_shuffled_per_round():
    candidates = bank(10, choices=6)
    rng = random.Random(7)
    orders = {draw_round(candidates, set(), 10, rng)[0].choice_ids for _ in range(30)}
    assert len(orders) > 1


def test_draw_varies_between_rounds():
    candidates = bank(40)
    rng = random.Random(3)
    draws = {
        frozenset(i.question_id for i in draw_round(candidates, set(), 10, rng)) for _ in range(5)
    }
    assert len(draws) > 1


def test_a_bank_smaller_than_a_round_is_refused():
    with pytest.raises(NotEnoughQuestions) as error:
        draw_round(bank(9), set(), 10, random.Random(1))
    assert (error.value.needed, error.value.available) == (10, 9)


def test_duplicate_candidates_do_not_count_twice():
    candidates = bank(9) + bank(9)
    with pytest.raises(NotEnoughQuestions):
        draw_round(candidates, set(), 10, random.Random(1))
