"""Follow-up work on time: grading the rounds whose deadline and grace have passed, computing
the provisional results at the close, logging the publication at the publication time,
processing videos that no web process took up, and dropping uploads abandoned half-way.

The jobs live in the application's database (APScheduler's SQLAlchemy job store) and every
run first takes a lease there: however many schedulers run (`flask --app wsgi scheduler`, the
demo, a standby host), exactly one acts; the others skip until its lease lapses. Each process
also keeps the lease on a timer of its own (every third of the lease, in memory: a shared store
runs a job in whichever process comes first), so the holder keeps it between sweeps and a
standby takes over within a lease and a third of the holder's last renewal. A scheduler that
stops (SIGTERM) releases its lease, and the standby takes over at its next try.
"""

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

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
                if graded:
                    log.info("graded %d overdue rounds", graded)
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
LEASE_SECONDS = 60  # the default of SCHEDULER_LEASE_SECONDS
LOCAL_STORE = "process"  # this process's own jobs: keeping the lease
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


def release_lease(holder: str) -> bool:
    """Give the lease up (a scheduler stopping), so a standby takes over at its next try."""
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(holder=None, expires_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def lease_seconds(app: Flask) -> int:
    """How long a lease lasts: SCHEDULER_LEASE_SECONDS."""
    return app.config.get("SCHEDULER_LEASE_SECONDS", LEASE_SECONDS)


def run_job_as(app: Flask, holder: str, name: str) -> int | None:
    """Run job `name` if `holder` holds the lease; None when another scheduler acts."""
    with app.app_context():
        if not acquire_lease(holder, clock.utc_now(), lease_seconds(app)):
            log.debug("scheduler %s skips %s: another scheduler holds the lease", holder, name)
            return None
    function, _ = JOBS[name]
    done = function(app)
    if done:
        # One line per run that did something: which scheduler acted, on how many rows.
        log.info("scheduler %s: %s: %s", holder, name, done)
    return done


def keep_lease_as(app: Flask, holder: str, held_before: bool) -> bool:
    """Take or renew the lease for `holder`; whether it holds it now (False while the database
    does not answer). A change is logged: this process now acts, or now stands by."""
    try:
        with app.app_context():
            held = acquire_lease(holder, clock.utc_now(), lease_seconds(app))
    except SQLAlchemyError as error:
        log.warning("scheduler %s cannot reach the database: %s", holder, type(error).__name__)
        held = False
    if held != held_before:
        log.info("scheduler %s %s", holder, "holds the lease: acting" if held else "stands by")
    return held


def keep_lease() -> None:
    """The per-process timer's job: keep this process's scheduler's lease."""
    held = keep_lease_as(_this_process["app"], _this_process["holder"], _this_process["held"])
    _this_process["held"] = held


def stop(scheduler: BlockingScheduler | BackgroundScheduler, app: Flask) -> None:
    """Stop gracefully: let running jobs finish, then release the lease."""
    if not scheduler.running:
        return  # a second signal while stopping
    scheduler.shutdown(wait=True)
    holder = _this_process["holder"]
    try:
        with app.app_context():
            if release_lease(holder):
                log.info("scheduler %s released the lease", holder)
    except SQLAlchemyError as error:  # the lease then lapses by itself
        log.warning("scheduler %s could not release the lease: %s", holder, error)


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
    _this_process.update(app=app, holder=holder or new_holder(), held=False)
    with app.app_context():
        store = SQLAlchemyJobStore(engine=db.engine, tablename=SCHEDULER_JOBS_TABLE)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone="UTC", jobstores={"default": store, LOCAL_STORE: MemoryJobStore()}
    )
    scheduler.add_job(
        keep_lease,
        "interval",
        seconds=max(1, lease_seconds(app) // 3),
        id="keep_lease",
        jobstore=LOCAL_STORE,
        next_run_time=clock.utc_now(),
        max_instances=1,
        coalesce=True,
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
