"""Drawing the questions of a round from the bank."""

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass


class NotEnoughQuestions(Exception):
    """The bank holds fewer active questions than a round needs."""

    def __init__(self, needed: int, available: int) -> None:
        super().__init__(f"a round needs {needed} questions, the bank has {available}")
        self.needed = needed
        self.available = available


@dataclass(frozen=True)
class Candidate:
    """An active question of the bank and the ids of its choices, in stored order."""

    question_id: int
    choice_ids: tuple[int, ...]


@dataclass(frozen=True)
class DrawnQuestion:
    """A question as it will be served: its place in the round and its shuffled choices."""

    question_id: int
    position: int
    choice_ids: tuple[int, ...]


def pick_questions(
    question_ids: Collection[int],
    seen_question_ids: Collection[int],
    count: int,
    rng: random.Random,
) -> list[int]:
    """Pick `count` distinct questions in random order, unseen ones first.

    Questions the participant has never been served are taken first, at random; when there are
    not enough of them, the rest is drawn at random from the ones already seen.
    """
    unique = sorted(set(question_ids))
    if len(unique) < count:
        raise NotEnoughQuestions(count, len(unique))
    seen = set(seen_question_ids)
    unseen = [qid for qid in unique if qid not in seen]
    already_seen = [qid for qid in unique if qid in seen]
    picked = rng.sample(unseen, min(count, len(unseen)))
    picked += rng.sample(already_seen, count - len(picked))
    rng.shuffle(picked)
    return picked


def serve_round(picked: Sequence[Candidate], rng: random.Random) -> list[DrawnQuestion]:
    """Number the picked questions in order and shuffle each one's choices."""
    return [
        DrawnQuestion(
            question_id=candidate.question_id,
            position=position,
            choice_ids=tuple(rng.sample(candidate.choice_ids, len(candidate.choice_ids))),
        )
        for position, candidate in enumerate(picked, start=1)
    ]


def draw_round(
    candidates: Sequence[Candidate],
    seen_question_ids: Collection[int],
    count: int,
    rng: random.Random,
) -> list[DrawnQuestion]:
    """Draw a whole round from candidates: pick_questions, then serve_round."""
    by_id = {candidate.question_id: candidate for candidate in candidates}
    picked = pick_questions(by_id, seen_question_ids, count, rng)
    return serve_round([by_id[question_id] for question_id in picked], rng)
