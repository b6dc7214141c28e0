"""What the organizers see of a running contest."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Attempt,
    AttemptState,
    AuditEntry,
    Contest,
    Question,
    Role,
    Score,
    ScoreState,
    Unit,
    User,
    UserRole,
    Video,
    VideoState,
)


@dataclass(frozen=True)
class ContestOverview:
    units: int
    participants_registered: int
    participants_played: int
    rounds_started: int
    rounds_running: int
    rounds_graded: int
    active_questions: int
    videos_ready: int
    units_with_video: int
    scores_submitted: int  # submitted sheets and declared conflicts


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
        videos_ready=count(
            select(func.count(Video.id)).where(
                Video.contest_id == contest.id, Video.state == VideoState.READY
            )
        ),
        units_with_video=count(
            select(func.count(func.distinct(Video.unit_id))).where(
                Video.contest_id == contest.id,
                Video.state.in_((VideoState.RECEIVED, VideoState.PROCESSING, VideoState.READY)),
            )
        ),
        scores_submitted=count(
            select(func.count(Score.id))
            .join(Video)
            .where(Video.contest_id == contest.id, Score.state != ScoreState.DRAFT)
        ),
    )


def audit_entries(contest: Contest, limit: int, offset: int = 0) -> list[AuditEntry]:
    """The organizers' actions on this contest, newest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.contest_id == contest.id)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(query))
