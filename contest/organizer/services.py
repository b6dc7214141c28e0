"""What the organizers see of a running contest."""

from dataclasses import dataclass

from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Attempt, AttemptState, Contest, Question, Role, Unit, User, UserRole


@dataclass(frozen=True)
class ContestOverview:
    units: int
    participants_registered: int
    participants_played: int
    rounds_started: int
    rounds_running: int
    rounds_graded: int
    active_questions: int


def contest_overview(contest: Contest) -> ContestOverview:
    """Counts for the organizer's overview of one contest."""

    def count(statement) -> int:
        return db.session.scalar(statement) or 0

    in_contest = Attempt.contest_id == contest.id
    return ContestOverview(
        units=count(select(func.count(Unit.id))),
        participants_registered=count(
            select(func.count(User.id))
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.PARTICIPANT)
        ),
        participants_played=count(
            select(func.count(func.distinct(Attempt.user_id))).where(in_contest)
        ),
        rounds_started=count(select(func.count(Attempt.id)).where(in_contest)),
        rounds_running=count(
            select(func.count(Attempt.id)).where(in_contest, Attempt.state == AttemptState.ACTIVE)
        ),
        rounds_graded=count(
            select(func.count(Attempt.id)).where(in_contest, Attempt.state != AttemptState.ACTIVE)
        ),
        active_questions=count(select(func.count(Question.id)).where(Question.active.is_(True))),
    )
