"""Follow-up work on time: grading the rounds whose deadline and grace have passed, processing
videos that no web process took up, and dropping uploads abandoned half-way.

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
from contest.storage import current_storage
from contest.videos import processing
from contest.videos.services import drop_abandoned_uploads

log = logging.getLogger(__name__)
SWEEP_SECONDS = 15
VIDEO_SWEEP_SECONDS = 30


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


def drop_abandoned_video_uploads(app: Flask) -> int:
    """One sweep: forget uploads untouched for two days and delete their parts (idempotent)."""
    with app.app_context():
        cleanup = drop_abandoned_uploads(clock.utc_now())
        db.session.commit()
        cleanup.run(current_storage())
        return len(cleanup.abort_uploads)


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
    scheduler.add_job(
        processing.process_waiting,
        "interval",
        seconds=VIDEO_SWEEP_SECONDS,
        args=[app],
        id="process_waiting_videos",
        next_run_time=clock.utc_now(),
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        drop_abandoned_video_uploads,
        "interval",
        hours=1,
        args=[app],
        id="drop_abandoned_video_uploads",
        next_run_time=clock.utc_now(),
        max_instances=1,
        coalesce=True,
    )
    return scheduler
