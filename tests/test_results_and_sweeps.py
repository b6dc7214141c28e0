"""The leaderboard in SQL agrees with the domain's ranking; overdue rounds get graded."""

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from contest.domain.ranking import RoundResult, rank_participants
from contest.extensions import db
from contest.models import Attempt, AttemptState
from contest.quiz.services import expire_overdue_attempts, start_attempt, submit_attempt
from contest.results.services import individual_leaderboard
from contest.scheduler import grade_overdue_rounds
from tests.helpers import graded_round, make_contest, make_questions, make_unit, make_user

zone = ZoneInfo("Asia/Ho_Chi_Minh")


def test_sql_leaderboard_matches_the_domain_ranking(db_session):
    contest = make_contest()
    other_contest = make_contest()
    unit = make_unit()
    users = [make_user(unit=unit) for _ in range(25)]
    rng = random.Random(2021)
    base = contest.quiz_opens_at
    results = []
    for _ in range(120):
        user = rng.choice(users)
        # Few distinct values, so that ties on every key happen.
        attempt = graded_round(
            contest,
            user,
            correct=rng.randint(7, 10),
            duration_ms=rng.choice([30_000, 45_000, 60_000]),
            finished_at=base + timedelta(seconds=rng.choice([10, 20])),
            state=rng.choice([AttemptState.SUBMITTED, AttemptState.EXPIRED]),
        )
        db.session.flush()
        results.append(
            RoundResult(
                user.id, attempt.id, attempt.correct_count, attempt.duration_ms, attempt.finished_at
            )
        )
    graded_round(other_contest, users[0], 10, 1, base)  # another contest never leaks in
    running = Attempt(
        contest_id=contest.id,
        user_id=make_user().id,
        started_at=base,
        deadline_at=base + timedelta(minutes=10),
        question_count=10,
    )
    db.session.add(running)  # a round still running has no place in the ranking
    db.session.flush()

    expected = [
        (line.rank, line.result.participant_id, line.result.correct_count, line.result.duration_ms)
        for line in rank_participants(results)
    ]
    actual = [
        (line.rank, line.participant_id, line.correct_count, line.duration_ms)
        for line in individual_leaderboard(contest, limit=1000)
    ]
    assert actual == expected
    paged = individual_leaderboard(contest, limit=5, offset=5)
    assert [(line.rank, line.participant_id) for line in paged] == [e[:2] for e in expected[5:10]]
    # Every page starts with the right rank, inside a group of equal lines too.
    for offset in range(len(expected)):
        first = individual_leaderboard(contest, limit=2, offset=offset)
        assert [(line.rank, line.participant_id) for line in first] == [
            e[:2] for e in expected[offset : offset + 2]
        ]


def test_expire_overdue_grades_only_rounds_past_deadline_and_grace(db_session):
    make_questions(10)
    contest = make_contest()
    now = contest.quiz_opens_at + timedelta(hours=1)
    early = start_attempt(contest, make_user(), now, zone, random.Random(1))
    late = start_attempt(contest, make_user(), now + timedelta(minutes=5), zone, random.Random(2))
    done = start_attempt(contest, make_user(), now, zone, random.Random(3))
    submit_attempt(done, now + timedelta(seconds=30))
    deadline = early.deadline_at

    assert expire_overdue_attempts(deadline + timedelta(seconds=5)) == 0  # still in its grace
    assert expire_overdue_attempts(deadline + timedelta(seconds=6)) == 1
    assert early.state is AttemptState.EXPIRED
    assert early.duration_ms == contest.round_time_limit_seconds * 1000
    assert late.state is AttemptState.ACTIVE
    assert done.state is AttemptState.SUBMITTED
    assert expire_overdue_attempts(deadline + timedelta(seconds=6)) == 0  # idempotent


def test_a_sweep_counts_only_the_rounds_it_graded_itself(db_session, monkeypatch):
    """Two schedulers' sweeps (or a sweep and a late submit) racing: each round is graded by
    one of them, and only that one counts it, so the logs add up to the rounds graded."""
    from contest.quiz import services

    make_questions(10)
    contest = make_contest()
    now = contest.quiz_opens_at + timedelta(hours=1)
    attempt = start_attempt(contest, make_user(), now, zone, random.Random(1))
    after = attempt.deadline_at + timedelta(minutes=1)
    is_overdue = services.rounds.is_overdue

    def graded_meanwhile(*args):
        # Between this sweep's select and its claim, another process grades the round.
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id)
            .values(state=AttemptState.EXPIRED, correct_count=0)
            .execution_options(synchronize_session=False)
        )
        return is_overdue(*args)

    monkeypatch.setattr(services.rounds, "is_overdue", graded_meanwhile)
    assert expire_overdue_attempts(after) == 0
    assert attempt.state is AttemptState.EXPIRED


def test_the_scheduler_job_commits_its_sweep(app, db_session, frozen_clock):
    make_questions(10)
    contest = make_contest(frozen_clock.now)
    attempt = start_attempt(contest, make_user(), frozen_clock.now, zone, random.Random(4))
    frozen_clock.advance(minutes=11)
    attempt_id = attempt.id
    assert grade_overdue_rounds(app) == 1
    assert db.session.get(Attempt, attempt_id).state is AttemptState.EXPIRED
    assert grade_overdue_rounds(app) == 0
