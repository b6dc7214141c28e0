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


def draw_round(
    candidates: Sequence[Candidate],
    seen_question_ids: Collection[int],
    count: int,
    rng: random.Random,
) -> list[DrawnQuestion]:
    """Draw `count` distinct questions, unseen ones first, with choices shuffled per round.

    Questions the participant has never been served are taken first, at random; when there are
    not enough of them, the rest is drawn at random from the ones already seen.
    """
    unique = {candidate.question_id: candidate for candidate in candidates}
    if len(unique) < count:
        raise NotEnoughQuestions(count, len(unique))
    seen = set(seen_question_ids)
    unseen = [c for qid, c in unique.items() if qid not in seen]
    already_seen = [c for qid, c in unique.items() if qid in seen]
    picked = rng.sample(unseen, min(count, len(unseen)))
    picked += rng.sample(already_seen, count - len(picked))
    rng.shuffle(picked)
    return [
        DrawnQuestion(
            question_id=candidate.question_id,
            position=position,
            choice_ids=tuple(rng.sample(candidate.choice_ids, len(candidate.choice_ids))),
        )
        for position, candidate in enumerate(picked, start=1)
    ]
