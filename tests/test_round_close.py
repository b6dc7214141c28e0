"""Entries close on time: a round cannot outlast the quiz window, and moving the close moves
the running rounds with it, without losing an answer accepted in time."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from contest.extensions import db
from contest.models import Attempt, AttemptState, BestRound, Role
from contest.scheduler import grade_overdue_rounds
from tests.helpers import (
    ApiClient,
    form_token,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

SLUG = "closing-soon"


def iso(moment) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def closing_contest(db_session, frozen_clock):
    """A contest whose quiz closes in two minutes, with 10-minute rounds."""
    make_questions(12)
    contest = make_contest(
        frozen_clock.now - timedelta(days=1),
        slug=SLUG,
        quiz_closes_at=frozen_clock.now + timedelta(minutes=2),
        round_time_limit_seconds=600,
    )
    db.session.commit()
    return contest


def start_and_answer(api, correct: bool = True, clock=None) -> dict:
    """Start a round and answer its first question; after 10 s of reading on `clock`, if given
    (a round that ranks must be played at a person's pace: contest.domain.plausibility)."""
    body = api.post(in_contest(SLUG, "/attempts")).get_json()
    if clock is not None:
        clock.advance(seconds=10)
    question = body["questions"][0]
    attempt = db.session.get(Attempt, body["id"])
    key = next(
        sq.question.correct_choice.id for sq in attempt.served if sq.question_id == question["id"]
    )
    choice = key if correct else next(c["id"] for c in question["choices"] if c["id"] != key)
    path = f"/attempts/{body['id']}/answers/{question['id']}"
    assert api.put(path, json={"choice_id": choice}).status_code == 200
    return body


def test_a_round_started_before_the_close_ends_at_the_close(
    app, api, closing_contest, frozen_clock
):
    api.login(make_user(unit=make_unit()))
    body = start_and_answer(api, clock=frozen_clock)
    assert body["deadline_at"] == iso(closing_contest.quiz_closes_at)

    frozen_clock.advance(minutes=1, seconds=51)  # past the close, inside the grace
    assert api.post(in_contest(SLUG, "/attempts")).get_json()["error"] == "quiz_closed"
    assert grade_overdue_rounds(app) == 0
    frozen_clock.advance(seconds=5)  # the grace has passed: the scheduler grades it
    assert grade_overdue_rounds(app) == 1
    attempt = db.session.get(Attempt, body["id"])
    assert attempt.state is AttemptState.EXPIRED
    assert attempt.correct_count == 1  # the answer saved in time counts
    assert attempt.finished_at == closing_contest.quiz_closes_at
    best = db.session.get(BestRound, (closing_contest.id, attempt.user_id))
    assert (best.attempt_id, best.correct_count) == (attempt.id, 1)


def move_quiz_close(client, new_close):
    """The organizer (logged in on `client`) moves the quiz close on the windows page."""
    page = client.get(in_contest(SLUG, "/organizer/windows")).get_data(as_text=True)
    fields = dict(re.findall(r'name="(\w+_at)"[^>]*value="([^"]*)"', page))
    fields["quiz_closes_at"] = new_close.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")
    data = {"csrf_token": form_token(client, in_contest(SLUG, "/organizer/windows")), **fields}
    response = client.post(in_contest(SLUG, "/organizer/windows"), data=data)
    assert response.status_code == 302
    return response


def test_extending_the_close_gives_running_rounds_their_time_back(
    client, api, closing_contest, frozen_clock
):
    api.login(make_user(unit=make_unit()))
    body = start_and_answer(api)
    started = frozen_clock.now
    ApiClient(client).login(make_user(Role.ORGANIZER))
    move_quiz_close(client, frozen_clock.now + timedelta(days=3))
    attempt = db.session.get(Attempt, body["id"])
    assert attempt.deadline_at == started + timedelta(minutes=10)


def test_an_earlier_close_cuts_running_rounds_but_keeps_what_was_answered(
    app, client, api, closing_contest, frozen_clock
):
    closing_contest.quiz_closes_at = frozen_clock.now + timedelta(hours=2)
    db.session.commit()
    api.login(make_user(unit=make_unit()))
    body = start_and_answer(api)
    frozen_clock.advance(minutes=3)
    ApiClient(client).login(make_user(Role.ORGANIZER))
    move_quiz_close(client, frozen_clock.now - timedelta(minutes=30))  # already passed
    attempt = db.session.get(Attempt, body["id"])
    assert attempt.deadline_at == frozen_clock.now  # cut now, not 30 minutes back
    frozen_clock.advance(seconds=6)
    assert grade_overdue_rounds(app) == 1
    attempt = db.session.get(Attempt, body["id"])
    assert (attempt.state, attempt.correct_count) == (AttemptState.EXPIRED, 1)


def test_graded_rounds_keep_each_participants_best(app, api, closing_contest, frozen_clock):
    closing_contest.quiz_closes_at = frozen_clock.now + timedelta(hours=2)
    db.session.commit()
    participant = make_user(unit=make_unit())
    api.login(participant)
    best_key = (closing_contest.id, participant.id)

    def play(correct: bool, seconds: int) -> int:
        body = start_and_answer(api, correct, frozen_clock)
        frozen_clock.advance(seconds=seconds)
        assert api.post(f"/attempts/{body['id']}/submit").status_code == 200
        return body["id"]

    first = play(correct=False, seconds=30)
    assert db.session.get(BestRound, best_key).attempt_id == first
    better = play(correct=True, seconds=40)  # more correct, though slower
    assert db.session.get(BestRound, best_key).attempt_id == better
    play(correct=True, seconds=50)  # as correct but slower: the best stays
    assert db.session.get(BestRound, best_key).attempt_id == better
    faster = play(correct=True, seconds=20)
    best = db.session.get(BestRound, best_key)
    assert (best.attempt_id, best.correct_count, best.duration_ms) == (faster, 1, 30_000)
