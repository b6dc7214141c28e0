"""The plausibility of a round at its grading: its timeline read from the database (saves, and
the client's reports of questions shown), assessed by
contest.domain.plausibility, and kept with its evidence when flagged; and which rounds rank."""

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, distinct, exists, func, or_, select, text

from contest.domain.plausibility import (
    ADDRESS_WINDOW,
    QuestionTiming,
    RoundTimeline,
    assess_round,
)
from contest.extensions import db
from contest.models import (
    Attempt,
    ExcludedParticipant,
    ReviewDecision,
    RoundReview,
)


def round_timeline(attempt: Attempt, questions: Sequence, answers: Mapping) -> RoundTimeline:
    """What the server recorded of a graded round: each question's length and saves (from its
    sheet: contest.quiz.services.RoundSheet), and how many accounts its device and rounds its
    address account for (one statement)."""
    timings = []
    for question in questions:
        answer = answers.get(question.question_id)
        last = answer.saved_at if answer else None
        # Answers saved before first saves were kept count from their last save.
        first = (answer.first_saved_at or last) if answer else None
        timings.append(
            QuestionTiming(
                question.question_id,
                question.position,
                question.reading_chars,
                first,
                last,
                question.shown_at,
            )
        )
    device_accounts, address_rounds = _device_and_address(attempt)
    return RoundTimeline(
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        questions=timings,
        device_accounts=device_accounts,
        address_rounds=address_rounds,
    )


_DEVICE_ACCOUNTS = (
    select(func.count(distinct(Attempt.user_id)))
    .where(
        Attempt.contest_id == bindparam("contest_id"), Attempt.device_id == bindparam("device_id")
    )
    .scalar_subquery()
)
_ADDRESS_ROUNDS = (
    select(func.count())
    .where(
        Attempt.client_address == bindparam("client_address"),
        Attempt.started_at > bindparam("since"),
        Attempt.started_at <= bindparam("started_at"),
    )
    .scalar_subquery()
)
# One statement for what the round knows: (device known, address known) -> its counts.
_COUNTS = {
    (True, True): select(_DEVICE_ACCOUNTS, _ADDRESS_ROUNDS),
    (True, False): select(_DEVICE_ACCOUNTS),
    (False, True): select(_ADDRESS_ROUNDS),
}


def _device_and_address(attempt: Attempt) -> tuple[int, int]:
    """The accounts that played the contest on the round's device, and the rounds started
    from its address in ADDRESS_WINDOW up to it (0 for either when unknown)."""
    known = (attempt.device_id is not None, attempt.client_address is not None)
    if known not in _COUNTS:
        return 0, 0
    found = iter(
        db.session.connection()
        .execute(
            _COUNTS[known],
            {
                "contest_id": attempt.contest_id,
                "device_id": attempt.device_id,
                "client_address": attempt.client_address,
                "since": attempt.started_at - ADDRESS_WINDOW,
                "started_at": attempt.started_at,
            },
        )
        .one()
    )
    device = next(found) if known[0] else 0
    address = next(found) if known[1] else 0
    return device, address


_INSERT_REVIEW = RoundReview.__table__.insert()


def flag_round(
    attempt: Attempt, questions: Sequence, answers: Mapping, now: datetime
) -> RoundReview | None:
    """Assess a round just graded; a flagged one gets its review row (with the evidence)."""
    timeline = round_timeline(attempt, questions, answers)
    assessment = assess_round(timeline, attempt.contest.plausibility_thresholds())
    if not assessment.flagged:
        return None
    values = {
        "attempt_id": attempt.id,
        "contest_id": attempt.contest_id,
        "user_id": attempt.user_id,
        "held": assessment.held,
        "flags": [flag.value for flag in assessment.flags],
        "evidence": assessment.evidence(),
        "flagged_at": now,
        "decision": ReviewDecision.PENDING,
    }
    # Written at once (Core), not by the unit of work at the commit; the row as written.
    db.session.connection().execute(_INSERT_REVIEW, values)
    return RoundReview(**values)


def lock_participant_ranking(contest_id: int, user_id: int) -> None:
    """Wait for, then hold until the transaction ends, the participant's ranking in the contest:
    an organizer's decision on their rounds and the ranking of a round of theirs just graded
    take it, so each sees what the other committed (PostgreSQL; SQLite serialises writers).

    A transaction-scoped advisory lock on (contest, participant): the best round's row may
    not exist yet, so there is no row to lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:contest_id, :user_id)"),
            {"contest_id": contest_id, "user_id": user_id},
        )


def keeps_out_of_ranking():
    """SQL, over a join with round_reviews: the review keeps its round out of the ranking."""
    return or_(
        RoundReview.decision == ReviewDecision.EXCLUDED,
        and_(RoundReview.decision == ReviewDecision.PENDING, RoundReview.held.is_(True)),
    )


def ranked_round_clause():
    """SQL on attempts: the round counts in the ranking (no review keeps it out and its
    participant is not excluded from the contest)."""
    return and_(
        ~exists().where(RoundReview.attempt_id == Attempt.id, keeps_out_of_ranking()),
        ~exists().where(
            ExcludedParticipant.contest_id == Attempt.contest_id,
            ExcludedParticipant.user_id == Attempt.user_id,
        ),
    )


def exclusion_of(contest_id: int, user_id: int) -> ExcludedParticipant | None:
    """The participant's exclusion from the contest, if they are excluded."""
    return db.session.get(ExcludedParticipant, (contest_id, user_id))


def is_ranked(attempt: Attempt, review: RoundReview | None) -> bool:
    """Whether a graded round counts in the ranking, its review (if flagged) being `review`."""
    if review is not None and not review.is_ranked:
        return False
    return exclusion_of(attempt.contest_id, attempt.user_id) is None
