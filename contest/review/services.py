"""The organizers' decisions on flagged rounds, and what the queue and the approval read.

A decision (accept the round, exclude it, or exclude its participant from the contest) comes
with a reason and goes to the audit log; the participant's best round is then made again from
their rounds that still rank, so the leaderboard, the standings, the prizes and the exports,
which all read best_rounds, follow at once.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, func, or_, select

from contest.domain.plausibility import Flag
from contest.domain.prizes import INDIVIDUAL, PrizeList
from contest.domain.text import clean_lines
from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    Attempt,
    BestRound,
    Contest,
    ExcludedParticipant,
    ReviewDecision,
    RoundReview,
    Unit,
    User,
)
from contest.models.audit import record
from contest.quiz.plausibility import lock_participant_ranking
from contest.quiz.services import rebuild_best_rounds

REASON_MAX = 2000
ACCEPT, EXCLUDE_ROUND, EXCLUDE_PARTICIPANT = "accept", "exclude_round", "exclude_participant"
DECISIONS = (ACCEPT, EXCLUDE_ROUND, EXCLUDE_PARTICIPANT)


class ReviewRefused(Refused):
    code, status = "review_refused", 422
    message = _l("This decision cannot be recorded.")


@dataclass(frozen=True)
class QueueLine:
    """A flagged round as the queue shows it, with the place it would take if it ranked."""

    review: RoundReview
    attempt: Attempt
    full_name: str
    unit_name: str | None
    place: int


# The queue's filters: a decision (undecided, the default; accepted; excluded) and a flag.
UNDECIDED, ACCEPTED, EXCLUDED = "undecided", "accepted", "excluded"
STATUSES = {
    UNDECIDED: ReviewDecision.PENDING,
    ACCEPTED: ReviewDecision.ACCEPTED,
    EXCLUDED: ReviewDecision.EXCLUDED,
}
FLAGS = tuple(flag.value for flag in Flag)
QUEUE_PAGE = 20


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: rounds with this decision, and this flag among theirs (None: any).
    Unknown values read as the defaults (undecided, any flag), as a bad page number reads 1."""

    status: str = UNDECIDED
    flag: str | None = None

    @classmethod
    def read(cls, status: str | None, flag: str | None) -> "QueueFilter":
        """The filter asked for in a query string, with anything unknown left at its default."""
        return cls(status if status in STATUSES else UNDECIDED, flag if flag in FLAGS else None)

    def clauses(self, contest: Contest, by_status: bool = True) -> list:
        """SQL on round_reviews: the contest's rounds this filter shows (any status unless
        `by_status`)."""
        clauses = [RoundReview.contest_id == contest.id]
        if by_status:
            clauses.append(RoundReview.decision == STATUSES[self.status])
        if self.flag is not None:
            # The flags are a JSON list of known names: matched as the quoted name in its text.
            listed = cast(RoundReview.flags, String)
            clauses.append(listed.contains(f'"{self.flag}"', autoescape=True))
        return clauses


def _place_column(contest: Contest):
    """SQL: the place a flagged round would take (would_be_place), for each row of a query."""
    better = or_(
        BestRound.correct_count > Attempt.correct_count,
        and_(
            BestRound.correct_count == Attempt.correct_count,
            BestRound.duration_ms < Attempt.duration_ms,
        ),
    )
    others = (
        select(func.count())
        .where(BestRound.contest_id == contest.id, BestRound.user_id != Attempt.user_id, better)
        .correlate(Attempt)
        .scalar_subquery()
    )
    return (1 + others).label("place")


def would_be_place(contest: Contest, attempt: Attempt) -> int:
    """The place the round would take in the individual ranking as it stands: one more than
    the other participants whose best round has more correct answers, or as many in less time
    (the prediction's tie-break, known only after the close, is left aside)."""
    better = or_(
        BestRound.correct_count > attempt.correct_count,
        and_(
            BestRound.correct_count == attempt.correct_count,
            BestRound.duration_ms < attempt.duration_ms,
        ),
    )
    return 1 + db.session.scalar(
        select(func.count()).where(
            BestRound.contest_id == contest.id, BestRound.user_id != attempt.user_id, better
        )
    )


def review_queue(
    contest: Contest,
    shown: QueueFilter = QueueFilter(),  # noqa: B008 (frozen: safe as a default)
    limit: int | None = None,
    offset: int = 0,
) -> list[QueueLine]:
    """The contest's flagged rounds the filter shows (by default those waiting for a decision),
    each with the place it would take; a page of them with `limit`. Undecided ones by that
    place (the prize places first), then by round; decided ones newest decision first."""
    place = _place_column(contest)
    if shown.status == UNDECIDED:
        order = (place, Attempt.id)
    else:
        order = (RoundReview.decided_at.desc(), Attempt.id.desc())
    rows = db.session.execute(
        select(RoundReview, Attempt, User.full_name, Unit.name, place)
        .join(Attempt, Attempt.id == RoundReview.attempt_id)
        .join(User, User.id == RoundReview.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(*shown.clauses(contest))
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        QueueLine(review, attempt, name, unit, place) for review, attempt, name, unit, place in rows
    ]


def queue_counts(contest: Contest, flag: str | None) -> dict[str, int]:
    """How many of the contest's flagged rounds (with `flag`, if given) each status holds."""
    counts = dict.fromkeys(STATUSES, 0)
    by_decision = {decision: status for status, decision in STATUSES.items()}
    rows = db.session.execute(
        select(RoundReview.decision, func.count())
        .where(*QueueFilter(flag=flag).clauses(contest, by_status=False))
        .group_by(RoundReview.decision)
    )
    for decision, count in rows:
        counts[by_decision[decision]] = count
    return counts


def pending_count(contest: Contest) -> int:
    """How many flagged rounds of the contest wait for a decision."""
    return db.session.scalar(
        select(func.count()).where(
            RoundReview.contest_id == contest.id,
            RoundReview.decision == ReviewDecision.PENDING,
        )
    )


def undecided_prize_rounds(contest: Contest, prizes: PrizeList) -> list[QueueLine]:
    """Flagged rounds still undecided that would take an individual prize place: a place up
    to the last one the prize list awards (or the number of individual prizes, if more), and
    a round better than the best one its participant has ranked, or that one itself."""
    places = max(
        [award.rank for award in prizes.awards if award.category == INDIVIDUAL]
        + [sum(row.prize_count for row in contest.prize_table if row.category == INDIVIDUAL)]
    )
    return [
        line
        for line in review_queue(contest)
        if line.place <= places and _could_rank_higher(line.attempt)
    ]


def _could_rank_higher(attempt: Attempt) -> bool:
    """Whether the round is its participant's ranked best, or would beat it if accepted."""
    kept = db.session.get(BestRound, (attempt.contest_id, attempt.user_id))
    if kept is None or kept.attempt_id == attempt.id:
        return True
    return (-attempt.correct_count, attempt.duration_ms) < (-kept.correct_count, kept.duration_ms)


def decide_round(
    review: RoundReview, decision: str, reason: str, actor: User, now: datetime
) -> RoundReview:
    """Accept a flagged round, exclude it, or exclude its participant from the contest, for
    `reason` (logged); their best round is made again from the rounds that still rank.

    Refused without a reason, once the contest's results are approved (reopen them first),
    and for a round already decided. Decisions on one participant's rounds, and the ranking of
    their rounds as they are graded, wait for each other (lock_participant_ranking).
    """
    reason = clean_lines(reason).strip()
    if decision not in DECISIONS:
        raise ReviewRefused(_l("Choose one of the decisions offered."))
    if not reason:
        raise ReviewRefused(_l("Give the reason for this decision."))
    if len(reason) > REASON_MAX:
        raise ReviewRefused(_l("At most %(max)s characters.", max=REASON_MAX))
    contest = review.attempt.contest
    if contest.has_approved_results():
        raise ReviewRefused(_l("The results are approved: reopen them before changing a decision."))
    # One decision at a time on a participant's rounds, each reading what the one before it
    # committed; and a round decided meanwhile (by another organizer, or with its participant)
    # keeps that decision.
    lock_participant_ranking(contest.id, review.user_id)
    db.session.refresh(review)
    if review.decision is not ReviewDecision.PENDING:
        raise ReviewRefused(_l("This round was decided meanwhile: see the decided rounds."))
    decided = [review]
    if decision == EXCLUDE_PARTICIPANT:
        if db.session.get(ExcludedParticipant, (contest.id, review.user_id)) is None:
            db.session.add(
                ExcludedParticipant(
                    contest_id=contest.id,
                    user_id=review.user_id,
                    reason=reason,
                    decided_by_id=actor.id,
                    decided_at=now,
                )
            )
        decided += db.session.scalars(
            select(RoundReview).where(
                RoundReview.contest_id == contest.id,
                RoundReview.user_id == review.user_id,
                RoundReview.decision == ReviewDecision.PENDING,
                RoundReview.attempt_id != review.attempt_id,
            )
        ).all()
    outcome = ReviewDecision.ACCEPTED if decision == ACCEPT else ReviewDecision.EXCLUDED
    for each in decided:
        each.decision, each.reason = outcome, reason
        each.decided_by_id, each.decided_at = actor.id, now
    db.session.flush()
    rebuild_best_rounds(contest.id, review.user_id)
    record(
        "round_review_decided",
        actor,
        contest.id,
        f"attempt:{review.attempt_id}",
        now,
        decision=decision,
        reason=reason,
        participant=review.user_id,
        flags=list(review.flags),
        rounds=[each.attempt_id for each in decided],
    )
    db.session.flush()
    return review
