"""The scheduler: jobs stored in the database, one acting scheduler under a lease, catch-up."""

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select, text

from contest import scheduler as scheduling
from contest.extensions import db
from contest.models import Attempt, AttemptState, SchedulerLease
from contest.models.scheduling import scheduler_jobs
from contest.quiz.services import start_attempt
from tests.apps import own_app
from tests.helpers import make_contest, make_questions, make_user

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def overdue_round(now):
    make_questions(10)
    contest = make_contest(now)
    attempt = start_attempt(contest, make_user(), now, ZONE, random.Random(1))
    db.session.commit()
    return contest, attempt.id


def test_one_scheduler_acts_the_other_skips_until_the_lease_lapses(app, db_session, frozen_clock):
    contest, attempt_id = overdue_round(frozen_clock.now)
    frozen_clock.advance(seconds=contest.round_time_limit_seconds + 10)
    assert scheduling.run_job_as(app, "host-a:1", "grade_overdue_rounds") == 1
    assert scheduling.run_job_as(app, "host-b:2", "grade_overdue_rounds") is None
    assert db.session.get(Attempt, attempt_id).state is AttemptState.EXPIRED
    # The holder renews its lease by acting; the other waits.
    frozen_clock.advance(seconds=30)
    assert scheduling.run_job_as(app, "host-a:1", "grade_overdue_rounds") == 0
    frozen_clock.advance(seconds=scheduling.LEASE_SECONDS - 1)
    assert scheduling.run_job_as(app, "host-b:2", "grade_overdue_rounds") is None
    # Host A stopped: once its lease lapses, host B takes over.
    frozen_clock.advance(seconds=2)
    assert scheduling.run_job_as(app, "host-b:2", "grade_overdue_rounds") == 0
    assert scheduling.run_job_as(app, "host-a:1", "grade_overdue_rounds") is None
    assert db.session.get(SchedulerLease, scheduling.LEASE_NAME).holder == "host-b:2"


def test_a_stopping_scheduler_releases_its_lease_and_the_standby_takes_it(
    app, db_session, frozen_clock
):
    assert scheduling.keep_lease_as(app, "host-a:1", held_before=False) is True
    assert scheduling.keep_lease_as(app, "host-b:2", held_before=False) is False
    assert scheduling.release_lease("host-b:2") is False  # not its lease: nothing changes
    assert scheduling.release_lease("host-a:1") is True
    # At once, not when the lease would have lapsed.
    assert scheduling.keep_lease_as(app, "host-b:2", held_before=False) is True
    assert db.session.get(SchedulerLease, scheduling.LEASE_NAME).holder == "host-b:2"


def test_the_lease_lasts_scheduler_lease_seconds_and_is_kept_every_third(
    app, db_session, frozen_clock, monkeypatch
):
    monkeypatch.setitem(app.config, "SCHEDULER_LEASE_SECONDS", 9)
    assert scheduling.keep_lease_as(app, "host-a:1", held_before=False) is True
    lease = db.session.get(SchedulerLease, scheduling.LEASE_NAME)
    assert lease.expires_at == frozen_clock.now + timedelta(seconds=9)
    frozen_clock.advance(seconds=10)  # host A went silent for longer than its lease
    assert scheduling.keep_lease_as(app, "host-b:2", held_before=False) is True
    scheduler = scheduling.build_scheduler(app, blocking=False, holder="host-c:3")
    (keeper,) = scheduler.get_jobs(jobstore=scheduling.LOCAL_STORE)
    assert keeper.trigger.interval == timedelta(seconds=3)


def test_a_scheduler_that_cannot_reach_the_database_stands_by(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="contest.scheduler")
    with own_app("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path) as lost:
        assert scheduling.keep_lease_as(lost, "host-a:1", held_before=True) is False
    assert "cannot reach the database" in caplog.text
    assert "host-a:1 stands by" in caplog.text


def test_sigterm_stops_the_scheduler_command_and_releases_its_lease(tmp_path):
    """`flask scheduler` under SIGTERM (systemd, docker stop): it exits and gives the lease up."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEMO", "RUN_SCHEDULER")}
    database = tmp_path / "scheduler.db"
    env.update(DATABASE_URL=f"sqlite:///{database}", SECRET_KEY="x", REDIS_URL="")
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
    process = subprocess.Popen(  # noqa: S603
        [*flask, "scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        engine = create_engine(f"sqlite:///{database}")
        deadline = time.monotonic() + 30
        holder = None
        while holder is None and time.monotonic() < deadline:
            time.sleep(0.2)
            with engine.connect() as connection:
                holder = connection.scalar(text("SELECT holder FROM scheduler_leases"))
        assert holder is not None, "the scheduler never took the lease"
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
        assert process.returncode == 0, output
        assert "released the lease" in output
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT holder FROM scheduler_leases")) is None
        engine.dispose()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_jobs_live_in_the_database_and_run_at_start(app, db_session, frozen_clock):
    """After a restart every job runs at once (catch-up), then on its interval."""
    scheduler = scheduling.build_scheduler(app, blocking=False, holder="host-a:1")
    jobs = {job.id: job for job in scheduler.get_jobs(jobstore="default")}
    assert set(jobs) == set(scheduling.JOBS)
    for job in jobs.values():
        assert job.next_run_time <= frozen_clock.now + timedelta(seconds=1)
        assert job.func_ref == "contest.scheduler:run_job"
        assert job.misfire_grace_time is None  # a missed run is never dropped
        assert job.coalesce  # several missed runs are one run
    store = scheduler._jobstores["default"]
    assert store.jobs_t.name == scheduler_jobs.name


# A real race needs real commits on separate connections: PostgreSQL (SQLite serialises writers).
@pytest.mark.postgres
def test_two_schedulers_racing_one_acts(app):
    try:
        results = []
        barrier = threading.Barrier(4)

        def scheduler_tick(holder: str) -> None:
            barrier.wait()
            results.append(scheduling.run_job_as(app, holder, "drop_abandoned_video_uploads"))

        threads = [threading.Thread(target=scheduler_tick, args=(f"host-{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results, key=lambda r: r is None) == [0, None, None, None]
        with app.app_context():
            holders = db.session.scalars(select(SchedulerLease.holder)).all()
            assert len(holders) == 1
    finally:
        with app.app_context():
            db.session.execute(text("TRUNCATE scheduler_leases"))
            db.session.commit()
