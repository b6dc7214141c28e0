"""The scheduler's moments of a contest: provisional results computed at the close (after the
rounds the close cut are graded), the publication logged at the publication time; each once,
following the deadlines when organizers move them."""

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from contest import scheduler as scheduling
from contest.extensions import db
from contest.models import (
    Attempt,
    AttemptState,
    AuditEntry,
    Contest,
    ContestMilestone,
    Role,
    User,
)
from contest.organizer.services import change_windows
from contest.quiz.services import start_attempt
from contest.results import workflow
from tests.helpers import (
    ApiClient,
    graded_round,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.db


def run(app, job):
    return scheduling.run_job_as(app, "host-a:1", job)


def audit(contest, action):
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.contest_id == contest.id, AuditEntry.action == action)
        .order_by(AuditEntry.id)
    ).all()


def milestones(contest, kind):
    return db.session.scalars(
        select(ContestMilestone)
        .where(ContestMilestone.contest_id == contest.id, ContestMilestone.kind == kind)
        .order_by(ContestMilestone.due_at)
    ).all()


@pytest.fixture
def closing(db_session, frozen_clock):
    """A quiz closing in an hour: three graded participants and one round running into it."""
    now = frozen_clock.now
    make_questions(10)
    contest = make_contest(now, quiz_closes_at=now + timedelta(hours=1))
    unit = make_unit()
    for n in range(3):
        graded_round(contest, make_user(unit=unit), 9 - n, 60_000, now - timedelta(minutes=n))
    frozen_clock.advance(minutes=55)
    late = start_attempt(contest, make_user(unit=unit), frozen_clock.now, ZONE, random.Random(1))
    db.session.commit()
    return contest, late.id


def test_results_are_computed_once_the_close_and_its_grace_have_passed(app, closing, frozen_clock):
    contest, late_id = closing
    assert run(app, "compute_results_at_close") == 0  # still open
    for seconds in (2, contest.submission_grace_seconds):  # a last answer may still arrive
        frozen_clock.now = contest.quiz_closes_at + timedelta(seconds=seconds)
        assert run(app, "compute_results_at_close") == 0
        assert db.session.get(Attempt, late_id).state is AttemptState.ACTIVE

    frozen_clock.now = contest.quiz_closes_at + timedelta(seconds=6)
    assert run(app, "compute_results_at_close") == 1
    # The round the close cut was graded first, so its participant counts.
    assert db.session.get(Attempt, late_id).state is AttemptState.EXPIRED
    [milestone] = milestones(contest, workflow.RESULTS_AT_CLOSE)
    assert milestone.due_at == contest.quiz_closes_at
    assert milestone.details == {
        "participants": 4,
        "awards": 5,  # the unit's first prize and an individual prize per participant
        "total_amount": 10_000_000 + 4 * 500_000,
        "pending_ties": 0,
    }
    [entry] = audit(contest, "results_computed_at_close")
    assert entry.actor is None
    assert entry.details == milestone.details


def test_computing_the_results_at_the_close_is_idempotent(app, closing, frozen_clock):
    contest, _ = closing
    frozen_clock.now = contest.quiz_closes_at + timedelta(minutes=1)
    assert run(app, "compute_results_at_close") == 1
    frozen_clock.advance(hours=3)
    assert run(app, "compute_results_at_close") == 0
    # A second scheduler that takes over after a restart finds the work done.
    frozen_clock.advance(seconds=scheduling.LEASE_SECONDS + 1)
    assert scheduling.run_job_as(app, "host-b:2", "compute_results_at_close") == 0
    assert len(audit(contest, "results_computed_at_close")) == 1


def test_a_close_missed_while_no_scheduler_ran_is_caught_up(app, closing, frozen_clock):
    contest, late_id = closing
    frozen_clock.now = contest.quiz_closes_at + timedelta(days=2)
    assert run(app, "compute_results_at_close") == 1
    assert db.session.get(Attempt, late_id).state is AttemptState.EXPIRED
    [milestone] = milestones(contest, workflow.RESULTS_AT_CLOSE)
    assert milestone.due_at == contest.quiz_closes_at
    assert milestone.done_at == frozen_clock.now


def test_an_extended_close_is_computed_again_when_it_comes(app, closing, frozen_clock):
    contest, late_id = closing
    first_close = contest.quiz_closes_at
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    frozen_clock.now = first_close - timedelta(minutes=1)
    windows = {
        "quiz_opens_at": contest.quiz_opens_at,
        "quiz_closes_at": first_close + timedelta(days=1),
        "video_opens_at": None,
        "video_closes_at": None,
        "results_publish_at": None,
    }
    change_windows(contest, windows, organizer, frozen_clock.now)
    db.session.commit()

    frozen_clock.now = first_close + timedelta(minutes=1)
    assert run(app, "compute_results_at_close") == 0  # the quiz is open another day
    assert db.session.get(Attempt, late_id).state is AttemptState.ACTIVE  # its time back

    frozen_clock.now = first_close + timedelta(days=1, minutes=1)
    assert run(app, "compute_results_at_close") == 1
    assert [m.due_at for m in milestones(contest, workflow.RESULTS_AT_CLOSE)] == [
        first_close + timedelta(days=1)
    ]
    # Closed again and reopened after the results were computed: computed at the new close too.
    contest = db.session.get(Contest, contest.id)  # each job run ends its session
    windows["quiz_closes_at"] = first_close + timedelta(days=3)
    change_windows(contest, windows, db.session.get(User, organizer.id), frozen_clock.now)
    db.session.commit()
    frozen_clock.now = first_close + timedelta(days=3, minutes=1)
    assert run(app, "compute_results_at_close") == 1
    assert len(milestones(contest, workflow.RESULTS_AT_CLOSE)) == 2


def test_the_close_waits_for_the_video_window(app, db_session, frozen_clock):
    now = frozen_clock.now
    contest = make_contest(
        now,
        quiz_closes_at=now + timedelta(hours=1),
        video_opens_at=now - timedelta(days=1),
        video_closes_at=now + timedelta(days=2),
    )
    db.session.commit()
    frozen_clock.advance(days=1)
    assert run(app, "compute_results_at_close") == 0
    frozen_clock.advance(days=1, minutes=1)
    assert run(app, "compute_results_at_close") == 1
    [milestone] = milestones(contest, workflow.RESULTS_AT_CLOSE)
    assert milestone.due_at == contest.video_closes_at


@pytest.fixture
def closed(closing, frozen_clock):
    """The contest of `closing`, closed, results to be published a day after the close."""
    contest, _ = closing
    contest.results_publish_at = contest.quiz_closes_at + timedelta(days=1)
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    frozen_clock.now = contest.quiz_closes_at + timedelta(minutes=1)
    return contest, organizer


def test_approved_results_are_published_at_the_publication_time(app, closed, frozen_clock):
    contest, organizer = closed
    snapshot = workflow.approve_results(contest, organizer, None, frozen_clock.now)
    db.session.commit()
    assert run(app, "publish_due_results") == 0  # approved, not yet due
    assert workflow.published_snapshot(contest, frozen_clock.now) is None

    frozen_clock.now = contest.results_publish_at + timedelta(seconds=10)
    assert workflow.published_snapshot(contest, frozen_clock.now).id == snapshot.id
    assert run(app, "publish_due_results") == 1
    assert run(app, "publish_due_results") == 0
    [entry] = audit(contest, "results_published")
    assert entry.actor is None
    assert entry.details == {
        "snapshot": snapshot.id,
        "publish_at": contest.results_publish_at.isoformat(),
    }
    [milestone] = milestones(contest, workflow.PUBLICATION)
    assert milestone.due_at == contest.results_publish_at


def test_results_approved_after_the_publication_time_are_published_on_approval(
    app, closed, frozen_clock
):
    contest, organizer = closed
    frozen_clock.now = contest.results_publish_at + timedelta(hours=1)
    assert run(app, "publish_due_results") == 0  # nothing approved to publish
    assert milestones(contest, workflow.PUBLICATION) == []
    snapshot = workflow.approve_results(contest, organizer, None, frozen_clock.now)
    db.session.commit()
    assert workflow.published_snapshot(contest, frozen_clock.now).id == snapshot.id
    assert run(app, "publish_due_results") == 1
    assert audit(contest, "results_published")[0].details["snapshot"] == snapshot.id


def test_publishing_now_is_not_logged_again_by_the_scheduler(app, closed, frozen_clock):
    contest, organizer = closed
    workflow.approve_results(contest, organizer, None, frozen_clock.now)
    workflow.publish_now(contest, organizer, frozen_clock.now)
    db.session.commit()
    frozen_clock.advance(days=2)
    assert run(app, "publish_due_results") == 0
    [entry] = audit(contest, "results_published")
    assert entry.actor == organizer
    # A second "publish now" (a form sent again) is refused and logs nothing.
    contest = db.session.get(Contest, contest.id)
    with pytest.raises(workflow.ResultsRefused, match="đã được công bố rồi"):
        workflow.publish_now(contest, db.session.get(User, organizer.id), frozen_clock.now)
    assert len(audit(contest, "results_published")) == 1


def test_the_standings_page_shows_the_results_at_the_close_and_a_late_publication(
    app, client, closed, frozen_clock
):
    contest, organizer = closed
    frozen_clock.now = contest.results_publish_at + timedelta(minutes=5)
    assert run(app, "compute_results_at_close") == 1
    ApiClient(client).login(organizer)
    page = client.get(in_contest(contest, "/results/standings")).get_data(as_text=True)
    assert "Lúc đóng cổng" in page
    assert "4 người dự thi" in page
    assert "12.000.000 đ" in page
    assert "Đã qua giờ công bố" in page
