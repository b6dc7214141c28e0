"""The quiz API's hot path stays lean: the SQL statements each request of a round sends, and
what the per-request shortcuts (contest.app_class, contest.input_guards) keep doing.

bench/profile_requests.py measures the same journey; README, Performance, has the figures.
"""

import contextlib
from contextlib import contextmanager

import pytest
from flask import request
from sqlalchemy import event

from contest.extensions import db
from contest.models import Attempt, RoundReview
from tests.helpers import make_contest, make_questions, make_user

# Statements a request may send at most (commits and the tests' savepoints aside).
MOST = {"contest": 3, "start": 9, "shown": 4, "save": 1, "submit": 9}


@contextmanager
def counted_statements():
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def measured(call):
    """The response of `call` and the statements it sent, nothing kept from earlier requests."""
    db.session.expunge_all()
    with counted_statements() as seen:
        response = call()
    return response, len(seen)


def test_a_round_sends_few_statements_and_stays_correct(api, db_session, frozen_clock):
    contest = make_contest(frozen_clock.now)
    make_questions(12)
    user = make_user()
    api.login(user)
    base = f"/contests/{contest.slug}"

    shown, statements = measured(lambda: api.get(base))
    assert shown.status_code == 200
    assert shown.get_json()["attempts"]["used_total"] == 0
    assert statements <= MOST["contest"]

    api.reports_shown = False  # the round page's report is measured on its own
    started, statements = measured(lambda: api.post(f"{base}/attempts"))
    assert started.status_code == 201
    assert statements <= MOST["start"]
    round_ = started.get_json()
    assert len(round_["questions"]) == contest.questions_per_round
    assert round_["answers"] == {}

    every_question = {"question_ids": [question["id"] for question in round_["questions"]]}
    reported, statements = measured(
        lambda: api.post(f"/attempts/{round_['id']}/shown", json=every_question)
    )
    assert reported.status_code == 200, reported.get_json()
    assert statements <= MOST["shown"]
    again, statements = measured(
        lambda: api.post(f"/attempts/{round_['id']}/shown", json=every_question)
    )
    assert again.get_json() == reported.get_json()  # the first report stands
    assert statements <= MOST["shown"] - 1  # nothing left to write

    for question in round_["questions"]:
        path = f"/attempts/{round_['id']}/answers/{question['id']}"
        saved, statements = measured(
            lambda path=path, question=question: api.put(
                path, json={"choice_id": question["choices"][0]["id"]}
            )
        )
        assert saved.status_code == 200
        assert statements == MOST["save"]

    submitted, statements = measured(lambda: api.post(f"/attempts/{round_['id']}/submit"))
    assert submitted.status_code == 200
    assert statements <= MOST["submit"]
    graded = submitted.get_json()
    # The reply carries the round as started and every answer, graded once.
    assert [q["id"] for q in graded["questions"]] == [q["id"] for q in round_["questions"]]
    assert graded["questions"] == round_["questions"]
    assert graded["answers"] == {str(q["id"]): q["choices"][0]["id"] for q in round_["questions"]}
    attempt = db.session.get(Attempt, round_["id"])
    assert graded["result"]["correct_count"] == attempt.correct_count
    # Ten answers in the same instant: flagged, with the round's timeline as evidence.
    review = db.session.get(RoundReview, attempt.id)
    assert review is not None
    assert review.held
    characters = {
        q["id"]: len(q["text"]) + sum(len(c["text"]) for c in q["choices"])
        for q in round_["questions"]
    }
    assert {a["question_id"]: a["reading_chars"] for a in review.evidence["answers"]} == characters
    assert review.evidence["device_accounts"] == 1  # the device cookie start set
    assert review.evidence["address_rounds"] == 1

    shown, statements = measured(lambda: api.get(base))
    assert shown.get_json()["attempts"]["used_total"] == 1
    assert shown.get_json()["active_attempt_id"] is None
    assert statements <= MOST["contest"]


def test_requests_with_one_cookie_header_share_its_parse_and_cannot_change_it(app):
    with app.test_request_context(headers={"Cookie": "a=1; b=2"}):
        first = request.cookies
        assert first["a"] == "1"
    with app.test_request_context(headers={"Cookie": "a=1; b=2"}):
        assert request.cookies is first
        with pytest.raises(TypeError):
            request.cookies["a"] = "2"
    with app.test_request_context(headers={"Cookie": "a=3"}):
        assert request.cookies["a"] == "3"
    with app.test_request_context():
        assert "a" not in request.cookies


def test_plain_hooks_are_remembered_and_async_ones_still_wrapped(app):
    def plain():
        return None

    async def coroutine():
        return None

    assert app.ensure_sync(plain) is plain
    assert plain in app._plain_functions
    # Flask wraps an async function (or says its async extra is missing): never as plain.
    with contextlib.suppress(RuntimeError):
        app.ensure_sync(coroutine)
    assert coroutine not in app._plain_functions
