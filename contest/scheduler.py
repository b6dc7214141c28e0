"""Follow-up work on time: today, grading the rounds whose deadline and grace have passed.

Run it in one process only (`flask --app wsgi scheduler`, or inside `demo`): APScheduler 3
inside each gunicorn worker would run every job once per worker.
"""

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from contest import clock
from contest.extensions import db
from contest.quiz.services import expire_overdue_attempts

log = logging.getLogger(__name__)
SWEEP_SECONDS = 15


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


def build_scheduler(app: Flask, blocking: bool) -> BackgroundScheduler | BlockingScheduler:
    """A scheduler with the platform's jobs; a sweep also runs at start (catch-up)."""
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone="UTC")
    scheduler.add_job(
        grade_overdue_rounds,
        "interval",
        seconds=SWEEP_SECONDS,
        args=[app],
        id="grade_overdue_rounds",
        next_run_time=clock.utc_now(),
        max_instances=1,
        coalesce=True,
    )
    return scheduler
