"""Rankings read from the database, in the order contest.domain.ranking defines."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from contest.extensions import db
from contest.models import GRADED_STATES, Attempt, Contest, Unit, User


@dataclass(frozen=True)
class LeaderboardLine:
    rank: int
    participant_id: int
    full_name: str
    unit_name: str | None
    correct_count: int
    duration_ms: int
    finished_at: datetime


def best_rounds_subquery(contest: Contest):
    """Each participant's best graded round (the domain's order; ties: the first played)."""
    numbered = (
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.correct_count,
            Attempt.duration_ms,
            Attempt.finished_at,
            Attempt.question_count,
            func.row_number()
            .over(
                partition_by=Attempt.user_id,
                order_by=(
                    Attempt.correct_count.desc(),
                    Attempt.duration_ms,
                    Attempt.finished_at,
                    Attempt.id,
                ),
            )
            .label("nth"),
        )
        .where(Attempt.contest_id == contest.id, Attempt.state.in_(GRADED_STATES))
        .subquery()
    )
    return select(numbered).where(numbered.c.nth == 1).subquery()


def individual_leaderboard(contest: Contest, limit: int, offset: int = 0) -> list[LeaderboardLine]:
    """The individual ranking computed in the database (see contest.domain.ranking for the order).

    Each participant's best graded round, then RANK() over most correct, shortest duration,
    earliest finish; equal lines share a rank and are listed by participant id.
    """
    best = best_rounds_subquery(contest)
    ranked = select(
        best.c.user_id,
        best.c.correct_count,
        best.c.duration_ms,
        best.c.finished_at,
        func.rank()
        .over(order_by=(best.c.correct_count.desc(), best.c.duration_ms, best.c.finished_at))
        .label("rank"),
    ).subquery()
    rows = db.session.execute(
        select(ranked, User.full_name, Unit.name)
        .join(User, User.id == ranked.c.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(ranked.c.rank, ranked.c.user_id)
        .limit(limit)
        .offset(offset)
    )
    return [
        LeaderboardLine(
            rank=row.rank,
            participant_id=row.user_id,
            full_name=row.full_name,
            unit_name=row.name,
            correct_count=row.correct_count,
            duration_ms=row.duration_ms,
            finished_at=row.finished_at,
        )
        for row in rows
    ]
