"""Drawing the questions of a round from the bank, under the contest's draw rules.

The rules: how many questions a round has, and optional quotas: so many from a topic, so many
of a difficulty (e.g. two from each of five topics, three hard ones). Questions of topics (or
difficulties) without a quota fill the rest of the round. Whether the bank can satisfy the
rules is a small transportation problem (topic groups to difficulty groups, each cell holding
the questions of that topic and difficulty), settled with a max-flow.

A contest with a reference date draws only the questions whose legal basis is in force on that
day (contest.domain.legal_basis.Window); the others are not in the pool at all, so the quota
checks count only the questions that can be drawn.
"""

import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

OTHER = None  # the group of topics (or difficulties) without a quota of their own


@dataclass(frozen=True)
class DrawRules:
    question_count: int
    topic_quotas: Mapping[str, int] = field(default_factory=dict)
    difficulty_quotas: Mapping[str, int] = field(default_factory=dict)
    # The day every drawn question's basis must be in force on; None draws them all.
    in_force_on: date | None = None

    def topic_group(self, topic: str) -> str | None:
        return topic if topic in self.topic_quotas else OTHER

    def difficulty_group(self, difficulty: str | None) -> str | None:
        return difficulty if difficulty in self.difficulty_quotas else OTHER


@dataclass(frozen=True)
class PoolQuestion:
    """An active question of the bank, as far as drawing cares."""

    question_id: int
    topic: str
    difficulty: str | None
    # The days its legal basis is in force: from (inclusive) until (exclusive); None: open.
    in_force_from: date | None = None
    in_force_until: date | None = None

    def is_drawable_under(self, rules: "DrawRules") -> bool:
        """Whether the rules allow it: in force on their day, or they name no day."""
        day = rules.in_force_on
        # Window(self.in_force_from, self.in_force_until).contains(day), written out: every
        # question of the pool is checked on every start.
        return day is None or (
            (self.in_force_from is None or self.in_force_from <= day)
            and (self.in_force_until is None or day < self.in_force_until)
        )


def drawable(pool: Iterable[PoolQuestion], rules: DrawRules) -> list[PoolQuestion]:
    """The questions of the pool the rules allow to be drawn (in force on their day)."""
    return [question for question in pool if question.is_drawable_under(rules)]


@dataclass(frozen=True)
class RuleProblem:
    """Why the bank cannot satisfy the rules; `code` is stable, `params` feed the message."""

    code: str  # too_few_questions, topic_quotas_too_large, difficulty_quotas_too_large,
    # topic_short, difficulty_short, other_topics_short, other_difficulties_short, quotas_clash
    params: Mapping[str, str | int] = field(default_factory=dict)


class RulesNotSatisfiable(Exception):
    """The bank's active questions cannot make a round under these rules."""

    def __init__(self, problems: Sequence[RuleProblem]) -> None:
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Candidate:
    """A picked question and the ids of its choices, in stored order."""

    question_id: int
    choice_ids: tuple[int, ...]


@dataclass(frozen=True)
class DrawnQuestion:
    """A question as it will be served: its place in the round and its shuffled choices."""

    question_id: int
    position: int
    choice_ids: tuple[int, ...]


Cell = tuple[str | None, str | None]  # (topic group, difficulty group)


def rule_problems(rules: DrawRules, pool: Iterable[PoolQuestion]) -> list[RuleProblem]:
    """Everything that stops the pool from making a round under the rules (empty when fine).

    Only the questions the rules allow to be drawn count.
    """
    return _problems_of_drawable(rules, drawable(pool, rules))


def _problems_of_drawable(rules: DrawRules, questions: Iterable[PoolQuestion]) -> list[RuleProblem]:
    count = rules.question_count
    by_topic: Counter = Counter()
    by_difficulty: Counter = Counter()
    cells: Counter = Counter()
    topic_quotas, difficulty_quotas = rules.topic_quotas, rules.difficulty_quotas
    for question in questions:  # the groups written out: this runs on every start
        topic, difficulty = question.topic, question.difficulty
        by_topic[topic] += 1
        by_difficulty[difficulty] += 1
        cells[
            topic if topic in topic_quotas else OTHER,
            difficulty if difficulty in difficulty_quotas else OTHER,
        ] += 1
    problems: list[RuleProblem] = []
    total = sum(by_topic.values())
    if total < count:
        problems.append(RuleProblem("too_few_questions", {"needed": count, "available": total}))
    for kind, quotas, available in (
        ("topic", rules.topic_quotas, by_topic),
        ("difficulty", rules.difficulty_quotas, by_difficulty),
    ):
        wanted = sum(quotas.values())
        if wanted > count:
            problems.append(
                RuleProblem(f"{kind}_quotas_too_large", {"quotas": wanted, "round": count})
            )
            continue
        for name, needed in sorted(quotas.items()):
            if available[name] < needed:
                params = {kind: name, "needed": needed, "available": available[name]}
                problems.append(RuleProblem(f"{kind}_short", params))
        others = sum(n for name, n in available.items() if name not in quotas)
        if quotas and others < count - wanted:
            plural = "topics" if kind == "topic" else "difficulties"
            problems.append(
                RuleProblem(
                    f"other_{plural}_short", {"needed": count - wanted, "available": others}
                )
            )
    if not problems and not _feasible(_group_quotas(rules), cells):
        problems.append(RuleProblem("quotas_clash"))
    return problems


def pick_questions(
    pool: Sequence[PoolQuestion],
    seen_question_ids: Collection[int],
    rules: DrawRules,
    rng: random.Random,
) -> list[int]:
    """Pick the round's distinct questions in random order, unseen ones first, by the rules.

    Questions the participant has never been served are considered first, in random order,
    then the ones already seen. Each is taken when the round can still be completed under the
    quotas with the questions not yet considered; otherwise it is passed over. A question not in
    force on the rules' day is never taken. Raise RulesNotSatisfiable when the pool cannot make
    a round at all.
    """
    unique = drawable({question.question_id: question for question in pool}.values(), rules)
    problems = _problems_of_drawable(rules, unique)
    if problems:
        raise RulesNotSatisfiable(problems)
    seen = set(seen_question_ids)
    unseen = [q for q in unique if q.question_id not in seen]
    already_seen = [q for q in unique if q.question_id in seen]
    if not rules.topic_quotas and not rules.difficulty_quotas:
        # The first question_count of a random order, drawn as such: a random sample of the
        # unseen, then of the seen for what they leave short.
        count = rules.question_count
        order = rng.sample(unseen, min(count, len(unseen)))
        order += rng.sample(already_seen, min(count - len(order), len(already_seen)))
        picked = [question.question_id for question in order]
    else:
        order = rng.sample(unseen, len(unseen)) + rng.sample(already_seen, len(already_seen))
        picked = _pick_under_quotas(order, rules)
    rng.shuffle(picked)
    return picked


def _pick_under_quotas(order: Sequence[PoolQuestion], rules: DrawRules) -> list[int]:
    remaining = _group_quotas(rules)
    not_considered = Counter(
        (rules.topic_group(q.topic), rules.difficulty_group(q.difficulty)) for q in order
    )
    picked: list[int] = []
    for question in order:
        cell = rules.topic_group(question.topic), rules.difficulty_group(question.difficulty)
        not_considered[cell] -= 1
        topic_group, difficulty_group = cell
        if remaining[0][topic_group] == 0 or remaining[1][difficulty_group] == 0:
            continue
        remaining[0][topic_group] -= 1
        remaining[1][difficulty_group] -= 1
        if _feasible(remaining, not_considered):
            picked.append(question.question_id)
            if len(picked) == rules.question_count:
                break
        else:
            remaining[0][topic_group] += 1
            remaining[1][difficulty_group] += 1
    return picked


def _group_quotas(rules: DrawRules) -> tuple[Counter, Counter]:
    """How many questions each topic group and each difficulty group must give."""
    topics = Counter(rules.topic_quotas)
    topics[OTHER] = rules.question_count - sum(rules.topic_quotas.values())
    difficulties = Counter(rules.difficulty_quotas)
    difficulties[OTHER] = rules.question_count - sum(rules.difficulty_quotas.values())
    return topics, difficulties


def _feasible(quotas: tuple[Counter, Counter], cells: Mapping[Cell, int]) -> bool:
    """Whether questions of these cells can meet every group's count exactly (max-flow)."""
    topic_quotas, difficulty_quotas = quotas
    needed = sum(topic_quotas.values())
    if needed != sum(difficulty_quotas.values()):
        return False
    topics = [group for group, n in topic_quotas.items() if n > 0]
    difficulties = [group for group, n in difficulty_quotas.items() if n > 0]
    # Nodes: 0 source, 1 sink, then topic groups, then difficulty groups.
    size = 2 + len(topics) + len(difficulties)
    capacity = [[0] * size for _ in range(size)]
    for t, topic in enumerate(topics, 2):
        capacity[0][t] = topic_quotas[topic]
        for d, difficulty in enumerate(difficulties, 2 + len(topics)):
            capacity[t][d] = max(0, cells.get((topic, difficulty), 0))
    for d, difficulty in enumerate(difficulties, 2 + len(topics)):
        capacity[d][1] = difficulty_quotas[difficulty]
    return _max_flow(capacity) == needed


def _max_flow(capacity: list[list[int]]) -> int:
    """Edmonds-Karp on a small dense graph (source 0, sink 1); `capacity` is consumed."""
    flow, size = 0, len(capacity)
    while True:
        parent = [-1] * size
        parent[0] = 0
        queue = [0]
        for node in queue:
            for successor in range(size):
                if parent[successor] == -1 and capacity[node][successor] > 0:
                    parent[successor] = node
                    queue.append(successor)
        if parent[1] == -1:
            return flow
        bottleneck, node = None, 1
        while node != 0:
            residual = capacity[parent[node]][node]
            bottleneck = residual if bottleneck is None else min(bottleneck, residual)
            node = parent[node]
        node = 1
        while node != 0:
            capacity[parent[node]][node] -= bottleneck
            capacity[node][parent[node]] += bottleneck
            node = parent[node]
        flow += bottleneck


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
