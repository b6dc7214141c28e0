"""An organizer's decision on a flagged round racing the participant's grading or another
decision, on PostgreSQL: no lost update, the ranking as the rounds say, one audit entry per
decision recorded.

Run with TEST_DATABASE_URL set (make test does it in CI); SQLite serialises writers anyway.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    Attempt,
    AttemptState,
    AuditEntry,
    BestRound,
    Contest,
    ExcludedParticipant,
    ReviewDecision,
    Role,
    RoundReview,
    User,
)
from contest.review import services as review
from tests.helpers import (
    flagged_round,
    logged_in_clients,
    make_contest,
    make_questions,
    make_unit,
    make_user,
    race,
)

pytestmark = pytest.mark.postgres

ROUNDS = 4  # each race is run this many times, with a new participant each time


@pytest.fixture
def committed(app):
    """A contest whose thresholds let a played round rank, and two organizers; wiped after."""
    with app.app_context():
        make_questions(20)
        # Thresholds no played round meets: the race is about decisions, not the flags.
        make_contest(
            floor_reading_chars_per_second=1_000,
            floor_motor_ms=0,
            flag_regular_cv_percent=0,
            flag_unshown_answers=0,
        )
        organizers = [make_user(Role.ORGANIZER).id for _ in range(2)]
        db.session.commit()
    yield organizers
    with app.app_context():
        tables = ", ".join(table.name for table in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()


def new_participant(app, flagged: int) -> tuple[str, int, list[int]]:
    """A participant with `flagged` held rounds (5 correct, 5 s, pending): phone, id, rounds."""
    with app.app_context():
        contest = db.session.scalars(select(Contest)).one()
        user = make_user(unit=make_unit())
        finished = datetime.now(UTC) - timedelta(minutes=30)
        rounds = [
            flagged_round(contest, user, 5, 5_000 + n, finished + timedelta(seconds=n)).id
            for n in range(flagged)
        ]
        db.session.commit()
        return user.phone, user.id, rounds


def decide(app, attempt_id: int, organizer_id: int, decision: str, reason: str):
    """One organizer's decision in its own session and transaction: "ok" or "refused"."""
    with app.app_context():
        try:
            review.decide_round(
                db.session.get(RoundReview, attempt_id),
                decision,
                reason,
                db.session.get(User, organizer_id),
                datetime.now(UTC),
            )
        except Refused:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return "ok"


def play_six_right(app, phone: str):
    """A round of the participant's, 6 answers right, left running; and its submission."""
    client = logged_in_clients(app, phone, 1)[0]
    attempt = client.post("/attempts").get_json()
    with app.app_context():
        served = db.session.get(Attempt, attempt["id"]).served
        key = {sq.question_id: sq.question.correct_choice.id for sq in served}
    for question in attempt["questions"][:6]:
        path = f"/attempts/{attempt['id']}/answers/{question['id']}"
        assert client.put(path, json={"choice_id": key[question["id"]]}).status_code == 200
    return lambda: client.post(f"/attempts/{attempt['id']}/submit").status_code


def assert_ranking_follows_the_rounds(app, user_id: int) -> None:
    """The participant's best round is the best of their rounds that rank, or none."""
    with app.app_context():
        contest = db.session.scalars(select(Contest)).one()
        excluded = db.session.get(ExcludedParticipant, (contest.id, user_id)) is not None
        ranked = []
        for attempt in db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)):
            if attempt.state not in (AttemptState.SUBMITTED, AttemptState.EXPIRED):
                continue
            flagged = db.session.get(RoundReview, attempt.id)
            if flagged is None or flagged.is_ranked:
                ranked.append(attempt)
        best = min(
            ranked,
            key=lambda a: (-a.correct_count, a.duration_ms, a.finished_at, a.id),
            default=None,
        )
        expected = None if excluded or best is None else best.id
        kept = db.session.get(BestRound, (contest.id, user_id))
        assert (kept.attempt_id if kept else None) == expected


def decisions_logged(app, user_id: int) -> int:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "round_review_decided")
        )
        return sum(1 for entry in entries if entry.details["participant"] == user_id)


def test_two_decisions_on_one_round_record_one(app, committed):
    first, second = committed
    for _ in range(ROUNDS):
        _, user_id, (held,) = new_participant(app, 1)
        outcomes = race(
            [
                lambda h=held: decide(app, h, first, review.ACCEPT, "Chơi thật"),
                lambda h=held: decide(app, h, second, review.EXCLUDE_ROUND, "Kịch bản"),
            ]
        )
        assert sorted(outcomes) == ["ok", "refused"]
        with app.app_context():
            decided = db.session.get(RoundReview, held)
            won = outcomes.index("ok")
            assert decided.decision is (
                ReviewDecision.ACCEPTED if won == 0 else ReviewDecision.EXCLUDED
            )
            assert decided.decided_by_id == committed[won]
        assert decisions_logged(app, user_id) == 1
        assert_ranking_follows_the_rounds(app, user_id)


@pytest.mark.parametrize("decision", [review.ACCEPT, review.EXCLUDE_PARTICIPANT])
def test_a_decision_racing_the_participants_grading_keeps_the_ranking(app, committed, decision):
    for _ in range(ROUNDS):
        phone, user_id, (held,) = new_participant(app, 1)
        submit = play_six_right(app, phone)
        outcomes = race([lambda h=held: decide(app, h, committed[0], decision, "Lý do"), submit])
        assert outcomes == ["ok", 200]
        assert decisions_logged(app, user_id) == 1
        assert_ranking_follows_the_rounds(app, user_id)


def test_a_decision_racing_another_on_the_same_participant_is_not_lost(app, committed):
    first, second = committed
    for _ in range(ROUNDS):
        _, user_id, (one, other) = new_participant(app, 2)
        outcomes = race(
            [
                lambda r=one: decide(app, r, first, review.ACCEPT, "Chơi thật"),
                lambda r=other: decide(app, r, second, review.EXCLUDE_PARTICIPANT, "Chơi hộ"),
            ]
        )
        with app.app_context():
            accepted = db.session.get(RoundReview, one)
            if outcomes == ["ok", "ok"]:  # the acceptance first: it stands, then the exclusion
                assert accepted.decision is ReviewDecision.ACCEPTED
                assert decisions_logged(app, user_id) == 2
            else:  # the exclusion first took the pending round with it
                assert outcomes == ["refused", "ok"]
                assert accepted.decision is ReviewDecision.EXCLUDED
                assert decisions_logged(app, user_id) == 1
            assert db.session.get(RoundReview, other).decision is ReviewDecision.EXCLUDED
        assert_ranking_follows_the_rounds(app, user_id)
