"""What the scheduler keeps in the application's database: its jobs and who may act."""

from datetime import datetime

from sqlalchemy import Column, Float, Index, LargeBinary, String, Table, Unicode
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
