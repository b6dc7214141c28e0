"""What the scheduler keeps in the application's database: its jobs, who may act, and the
moments of each contest it has acted on."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from contest.extensions import db
from contest.models.types import UTCDateTime

# APScheduler's SQLAlchemyJobStore table, declared here so that migrations create it (and
# `flask db check` knows it) rather than the job store at run time.
SCHEDULER_JOBS_TABLE = "scheduler_jobs"
scheduler_jobs = Table(
    SCHEDULER_JOBS_TABLE,
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25)),
    Column("job_state", LargeBinary, nullable=False),
    Index("ix_scheduler_jobs_next_run_time", "next_run_time"),
)


class SchedulerLease(db.Model):
    """The one scheduler allowed to act until `expires_at`; others skip their runs."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(120))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ContestMilestone(db.Model):
    """A moment of a contest's timeline the scheduler has acted on: the results computed at
    the close, the results published at the publication time.

    One row per contest, kind and moment: acting again on the same moment does nothing, and a
    moved deadline is a new moment, acted on when it comes.
    """

    __tablename__ = "contest_milestones"
    __table_args__ = (UniqueConstraint("contest_id", "kind", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
