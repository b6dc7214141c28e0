"""Item analysis of questions from graded rounds: are they fair, are their keys right?

For each question: how many graded rounds served it, its facility index (share of those
rounds that answered it right), how often each choice was picked, and its discrimination
index: the Pearson (point-biserial) correlation between getting this question right (1/0) and
the score on the rest of the same round. A question most people miss, or whose wrong choice
is picked more than its key, or that good participants miss more than weak ones (negative
discrimination), probably has a wrong key or a misleading text: those are listed first.
A question nearly everybody gets right, or with a wrong choice nobody picks, does not tell
participants apart: it is flagged for review, after those.

No flag is raised before a question has MIN_ANSWERS_TO_FLAG answers (rounds in which it was
answered; a round that left it blank is not an answer). With fewer, a share says more about
chance than about the question: a fair question that half the participants get right shows
fewer than 25 % right in 19 % of samples of five answers, and in 0.3 % of samples of thirty
(binomial tails); thirty is also the usual minimum sample of classical item analysis.
"""

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

MIN_ANSWERS_TO_FLAG = 30  # below this, shares say more about chance than about the question
LOW_FACILITY = 0.25  # no better than guessing among four choices
HIGH_FACILITY = 0.95  # nearly everybody right: Moodle's "extremely easy" band

# The flags that suggest a wrong key or a misleading text, then those that only ask for review.
WRONG_KEY_FLAGS = ("low_facility", "distractor_beats_key", "negative_discrimination")
REVIEW_FLAGS = ("too_easy", "unused_distractor")
FLAGS = WRONG_KEY_FLAGS + REVIEW_FLAGS
ANY_FLAG = "any"  # a filter: whatever flag


@dataclass(frozen=True)
class ItemSums:
    """Sums over the graded rounds that served one question (x: 1 if right; rest: the rest)."""

    served: int
    correct: int  # sum of x
    rest: int  # sum of rest
    rest_squared: int  # sum of rest²
    correct_rest: int  # sum of x·rest (x² = x, so sum of x² is `correct`)


@dataclass(frozen=True)
class ItemReport:
    question_id: int
    served: int
    facility: float | None  # 0..1
    discrimination: float | None  # -1..1, None when undefined
    picks: Mapping[int, int]  # choice id to how many rounds picked it
    unanswered: int
    key_choice_id: int
    flags: tuple[str, ...]  # of FLAGS, in that order

    @property
    def answered(self) -> int:
        """The rounds that answered the question (the answers the minimum counts)."""
        return self.served - self.unanswered

    @property
    def looks_wrong(self) -> bool:
        """Whether a flag suggests a wrong key or a misleading text."""
        return any(flag in WRONG_KEY_FLAGS for flag in self.flags)

    def has_flag(self, wanted: str) -> bool:
        """Whether the report carries the flag `wanted` ("any": whatever flag)."""
        return bool(self.flags) if wanted == ANY_FLAG else wanted in self.flags


def facility(sums: ItemSums) -> float | None:
    """Share of the rounds that answered the question right; None when never served."""
    return sums.correct / sums.served if sums.served else None


def discrimination(sums: ItemSums) -> float | None:
    """Correlation of the question's score with the rest of the round; None when undefined.

    Undefined with fewer than two rounds, or when everybody scored the same on the question
    (all right or all wrong) or on the rest of the round.
    """
    n = sums.served
    if n < 2:
        return None
    covariance = n * sums.correct_rest - sums.correct * sums.rest
    variance_x = n * sums.correct - sums.correct**2
    variance_rest = n * sums.rest_squared - sums.rest**2
    if variance_x <= 0 or variance_rest <= 0:
        return None
    return covariance / math.sqrt(variance_x * variance_rest)


def analyse_item(
    question_id: int,
    sums: ItemSums,
    picks: Mapping[int, int],
    key_choice_id: int,
    choice_ids: Collection[int] = (),
    min_answers: int = MIN_ANSWERS_TO_FLAG,
) -> ItemReport:
    """The report of one question, with the reasons it may be wrong or weak.

    `choice_ids` are all the question's choices (empty: unknown, no check of unused ones);
    no flag before `min_answers` rounds answered it.
    """
    index = facility(sums)
    correlation = discrimination(sums)
    flags: list[str] = []
    if sum(picks.values()) >= min_answers:
        if index is not None and index < LOW_FACILITY:
            flags.append("low_facility")
        key_picks = picks.get(key_choice_id, 0)
        if any(count > key_picks for choice, count in picks.items() if choice != key_choice_id):
            flags.append("distractor_beats_key")
        if correlation is not None and correlation < 0:
            flags.append("negative_discrimination")
        if index is not None and index >= HIGH_FACILITY:
            flags.append("too_easy")
        if any(not picks.get(choice) for choice in choice_ids if choice != key_choice_id):
            flags.append("unused_distractor")
    return ItemReport(
        question_id=question_id,
        served=sums.served,
        facility=index,
        discrimination=correlation,
        picks=dict(picks),
        unanswered=sums.served - sum(picks.values()),
        key_choice_id=key_choice_id,
        flags=tuple(flags),
    )


def suspicious_first(reports: Iterable[ItemReport]) -> list[ItemReport]:
    """Questions that look wrong first (most such flags, then most flags in all, then lowest
    facility, then most served, then by id), then the others in the same order."""
    return sorted(
        reports,
        key=lambda r: (
            -sum(flag in WRONG_KEY_FLAGS for flag in r.flags),
            -len(r.flags),
            r.facility if r.facility is not None else 1.0,
            -r.served,
            r.question_id,
        ),
    )
