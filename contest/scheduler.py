"""Follow-up work on time: grading the rounds whose deadline and grace have passed, computing
the provisional results at the close, logging the publication at the publication time,
processing videos that no web process took up, and dropping uploads abandoned half-way.

The jobs live in the application's database (APScheduler's SQLAlchemy job store) and every
run first takes a lease there: however many schedulers run (`flask --app wsgi scheduler`, the
demo, a second host by mistake), exactly one acts; the others skip until its lease lapses.
"""

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from contest import clock
from contest.extensions import db
from contest.models import SchedulerLease
from contest.models.scheduling import SCHEDULER_JOBS_TABLE
from contest.quiz.services import expire_overdue_attempts
from contest.results import workflow
from contest.storage import current_storage
from contest.videos import processing
from contest.videos.services import drop_abandoned_uploads

log = logging.getLogger(__name__)
SWEEP_SECONDS = 15
VIDEO_SWEEP_SECONDS = 30
MILESTONE_SWEEP_SECONDS = 30


def grade_overdue_rounds(app: Flask) -> int:
    """One sweep: grade every overdue round, commit, return how many (idempotent)."""
    with app.app_context():
        graded = 0
        while True:
            batch = expire_overdue_attempts(clock.utc_now())
            db.session.commit()
            graded += batch
            if batch == 0:
                return graded


def compute_results_at_close(app: Flask) -> int:
    """Grade what the close cut, then compute the results of every contest just closed."""
    grade_overdue_rounds(app)
    with app.app_context():
        computed = workflow.compute_results_at_close(clock.utc_now())
        db.session.commit()
        return computed


def publish_due_results(app: Flask) -> int:
    """Log the publication of approved results whose publication time has come."""
    with app.app_context():
        published = workflow.publish_due_results(clock.utc_now())
        db.session.commit()
        return published


def drop_abandoned_video_uploads(app: Flask) -> int:
    """One sweep: forget uploads untouched for two days and delete their parts (idempotent)."""
    with app.app_context():
        cleanup = drop_abandoned_uploads(clock.utc_now())
        db.session.commit()
        cleanup.run(current_storage())
        return len(cleanup.abort_uploads)


# Each job: (function, seconds between runs). Interval sweepers compute what is due from the
# stored timestamps, so a moved deadline needs no rescheduling and a late run misses nothing.
JOBS = {
    "grade_overdue_rounds": (grade_overdue_rounds, SWEEP_SECONDS),
    "compute_results_at_close": (compute_results_at_close, MILESTONE_SWEEP_SECONDS),
    "publish_due_results": (publish_due_results, MILESTONE_SWEEP_SECONDS),
    "process_waiting_videos": (processing.process_waiting, VIDEO_SWEEP_SECONDS),
    "drop_abandoned_video_uploads": (drop_abandoned_video_uploads, 3600),
}
LEASE_NAME = "scheduler"
LEASE_SECONDS = 60
# This process's scheduler: jobs in the shared store name a function, never an object.
_this_process: dict[str, object] = {}


def acquire_lease(holder: str, now: datetime, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the scheduler's lease; False while another live scheduler holds it."""
    if db.session.get(SchedulerLease, LEASE_NAME) is None:
        try:
            with db.session.begin_nested():
                db.session.add(SchedulerLease(name=LEASE_NAME))
        except IntegrityError:
            pass  # another scheduler inserted it first
    result = db.session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE_NAME,
            or_(
                SchedulerLease.holder == holder,
                SchedulerLease.holder.is_(None),
                SchedulerLease.expires_at < now,
            ),
        )
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def run_job(name: str) -> int | None:
    """The stored jobs' entry point: job `name`, as this process's scheduler."""
    return run_job_as(_this_process["app"], _this_process["holder"], name)


def run_job_as(app: Flask, holder: str, name: str) -> int | None:
    """Run job `name` if `holder` holds the lease; None when another scheduler acts."""
    with app.app_context():
        if not acquire_lease(holder, clock.utc_now()):
            log.debug("scheduler %s skips %s: another scheduler holds the lease", holder, name)
            return None
    function, _ = JOBS[name]
    return function(app)


def new_holder() -> str:
    """A name for this scheduler, unique across hosts and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def build_scheduler(
    app: Flask, blocking: bool, holder: str | None = None
) -> BackgroundScheduler | BlockingScheduler:
    """A scheduler whose jobs live in the application's database and act under its lease.

    Any number may run (a dedicated process, the demo, every worker): only the lease holder
    acts, and another takes over within LEASE_SECONDS when it stops. Each job also runs at
    start, so work missed while no scheduler ran is caught up at once.
    """
    _this_process.update(app=app, holder=holder or new_holder())
    with app.app_context():
        store = SQLAlchemyJobStore(engine=db.engine, tablename=SCHEDULER_JOBS_TABLE)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone="UTC", jobstores={"default": store}
    )
    for name, (_, seconds) in JOBS.items():
        scheduler.add_job(
            "contest.scheduler:run_job",
            "interval",
            seconds=seconds,
            args=[name],
            id=name,
            name=name,
            next_run_time=clock.utc_now(),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            replace_existing=True,
        )
    return scheduler
