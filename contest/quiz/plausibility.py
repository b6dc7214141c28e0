"""The plausibility of a round at its grading: its timeline read from the database (saves, and
the client's reports of questions shown), assessed by
contest.domain.plausibility, and kept with its evidence when flagged; and which rounds rank."""

from datetime import datetime

from sqlalchemy import and_, distinct, exists, func, or_, select, text

from contest.domain.plausibility import (
    ADDRESS_WINDOW,
    QuestionTiming,
    RoundTimeline,
    assess_round,
)
from contest.extensions import db
from contest.models import (
    Answer,
    Attempt,
    Choice,
    ExcludedParticipant,
    Question,
    ReviewDecision,
    RoundReview,
    ServedQuestion,
)


def round_timeline(attempt: Attempt) -> RoundTimeline:
    """What the server recorded of a graded round: each question's length and saves, and how
    many accounts its device and rounds its address account for."""
    chars = func.length(Question.text) + func.coalesce(func.sum(func.length(Choice.text)), 0)
    rows = db.session.execute(
        select(
            ServedQuestion.question_id,
            ServedQuestion.position,
            chars,
            Answer.first_saved_at,
            Answer.saved_at,
            ServedQuestion.shown_at,
        )
        .join(Question, Question.id == ServedQuestion.question_id)
        .outerjoin(Choice, Choice.question_id == ServedQuestion.question_id)
        .outerjoin(
            Answer,
            (Answer.attempt_id == ServedQuestion.attempt_id)
            & (Answer.question_id == ServedQuestion.question_id),
        )
        .where(ServedQuestion.attempt_id == attempt.id)
        .group_by(
            ServedQuestion.question_id,
            ServedQuestion.position,
            Question.text,
            Answer.first_saved_at,
            Answer.saved_at,
            ServedQuestion.shown_at,
        )
    )
    questions = [
        # Answers saved before first saves were kept count from their last save.
        QuestionTiming(question_id, position, int(length), first or last, last, shown)
        for question_id, position, length, first, last, shown in rows
    ]
    return RoundTimeline(
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        questions=questions,
        device_accounts=_device_accounts(attempt),
        address_rounds=_address_rounds(attempt),
    )


def _device_accounts(attempt: Attempt) -> int:
    if attempt.device_id is None:
        return 0
    return db.session.scalar(
        select(func.count(distinct(Attempt.user_id))).where(
            Attempt.contest_id == attempt.contest_id, Attempt.device_id == attempt.device_id
        )
    )


def _address_rounds(attempt: Attempt) -> int:
    if attempt.client_address is None:
        return 0
    return db.session.scalar(
        select(func.count()).where(
            Attempt.client_address == attempt.client_address,
            Attempt.started_at > attempt.started_at - ADDRESS_WINDOW,
            Attempt.started_at <= attempt.started_at,
        )
    )


def flag_round(attempt: Attempt, now: datetime) -> RoundReview | None:
    """Assess a round just graded; a flagged one gets its review row (with the evidence)."""
    assessment = assess_round(round_timeline(attempt), attempt.contest.plausibility_thresholds())
    if not assessment.flagged:
        return None
    review = RoundReview(
        attempt_id=attempt.id,
        contest_id=attempt.contest_id,
        user_id=attempt.user_id,
        held=assessment.held,
        flags=[flag.value for flag in assessment.flags],
        evidence=assessment.evidence(),
        flagged_at=now,
        decision=ReviewDecision.PENDING,
    )
    db.session.add(review)
    return review


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
