"""Racing requests on PostgreSQL: real commits, several connections, one barrier to start them.

Run with TEST_DATABASE_URL set (make test does it in CI); SQLite serialises writers anyway.
"""

import pytest
from sqlalchemy import select, text

from contest.extensions import db
from contest.models import Answer, Attempt, AttemptState
from tests.helpers import (
    logged_in_clients,
    make_contest,
    make_questions,
    make_unit,
    make_user,
    race,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def committed(app):
    """Committed data for racing requests, wiped afterwards."""
    with app.app_context():
        make_questions(20)
        make_contest()
        user = make_user(unit=make_unit())
        db.session.commit()
        phone = user.phone
    yield phone
    with app.app_context():
        tables = ", ".join(table.name for table in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()


def correct_choices(app, attempt_id: int) -> dict[int, int]:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return {sq.question_id: sq.question.correct_choice.id for sq in attempt.served}


def test_two_simultaneous_starts_open_one_round(app, committed):
    for _ in range(3):
        first, second = logged_in_clients(app, committed, 2)
        responses = race(
            [lambda c=first: c.post("/attempts"), lambda c=second: c.post("/attempts")]
        )
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [201, 409]
        with app.app_context():
            active = db.session.scalars(
                select(Attempt).where(Attempt.state == AttemptState.ACTIVE)
            ).all()
            assert len(active) == 1
        conflict = next(r for r in responses if r.status_code == 409).get_json()
        assert conflict["attempt_id"] == active[0].id
        assert first.post(f"/attempts/{active[0].id}/submit").status_code == 200


def test_two_simultaneous_submits_grade_once(app, committed):
    for _ in range(3):
        first, second = logged_in_clients(app, committed, 2)
        attempt = first.post("/attempts").get_json()
        key = correct_choices(app, attempt["id"])
        for question in attempt["questions"][:6]:
            first.put(
                f"/attempts/{attempt['id']}/answers/{question['id']}",
                json={"choice_id": key[question["id"]]},
            )
        path = f"/attempts/{attempt['id']}/submit"
        responses = race([lambda c=first, p=path: c.post(p), lambda c=second, p=path: c.post(p)])
        assert [r.status_code for r in responses] == [200, 200]
        results = [r.get_json()["result"] for r in responses]
        assert results[0] == results[1]
        assert results[0]["correct_count"] == 6
        with app.app_context():
            graded = db.session.get(Attempt, attempt["id"])
            assert graded.state is AttemptState.SUBMITTED
            assert graded.correct_count == 6


def race_saves_against_submit(app, phone: str) -> None:
    clients = logged_in_clients(app, phone, 11)
    attempt = clients[0].post("/attempts").get_json()
    key = correct_choices(app, attempt["id"])
    base = f"/attempts/{attempt['id']}"
    saves = [
        lambda c=client, q=question: c.put(
            f"{base}/answers/{q['id']}", json={"choice_id": key[q["id"]]}
        )
        for client, question in zip(clients[1:], attempt["questions"], strict=True)
    ]
    responses = race([*saves, lambda: clients[0].post(f"{base}/submit")])
    save_statuses = [r.status_code for r in responses[:-1]]
    assert set(save_statuses) <= {200, 409}
    acknowledged = {
        q["id"]
        for q, status in zip(attempt["questions"], save_statuses, strict=True)
        if status == 200
    }
    with app.app_context():
        graded = db.session.get(Attempt, attempt["id"])
        stored = set(
            db.session.scalars(select(Answer.question_id).where(Answer.attempt_id == graded.id))
        )
        assert stored == acknowledged
        assert graded.correct_count == len(acknowledged)


def test_saves_racing_the_submission_are_either_counted_or_refused(app, committed):
    """No acknowledged answer is lost: every 200 is graded, every refused save left no row."""
    for _ in range(3):
        race_saves_against_submit(app, committed)


def test_twenty_simultaneous_starts_open_one_round_and_fifty_submits_grade_once(app, committed):
    """The attack run's races, at its sizes, through the cut start and submit paths."""
    clients = logged_in_clients(app, committed, 50)
    responses = race([lambda c=client: c.post("/attempts") for client in clients[:20]])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 19
    attempt = next(r for r in responses if r.status_code == 201).get_json()
    assert {r.get_json()["attempt_id"] for r in responses if r.status_code == 409} == {
        attempt["id"]
    }
    key = correct_choices(app, attempt["id"])
    for question in attempt["questions"][:7]:
        clients[0].put(
            f"/attempts/{attempt['id']}/answers/{question['id']}",
            json={"choice_id": key[question["id"]]},
        )
    path = f"/attempts/{attempt['id']}/submit"
    responses = race([lambda c=client: c.post(path) for client in clients])
    assert [r.status_code for r in responses] == [200] * 50
    results = {str(r.get_json()["result"]) for r in responses}
    assert len(results) == 1
    with app.app_context():
        graded = db.session.get(Attempt, attempt["id"])
        assert graded.state is AttemptState.SUBMITTED
        assert graded.correct_count == 7
        assert db.session.scalar(text("SELECT count(*) FROM attempts")) == 1
        reviews = db.session.scalar(
            text("SELECT count(*) FROM round_reviews WHERE attempt_id = :id"),
            {"id": attempt["id"]},
        )
        assert reviews == 1  # seven answers in an instant: flagged, and reviewed once
