"""The JSON API: the round page's only path to the server, and a mobile app's or a load test's."""

import math
import random

from flask import abort, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import joinedload

from contest import clock
from contest.api import bp
from contest.api.openapi import openapi_document
from contest.api.serializers import (
    attempt_json,
    contest_json,
    contest_summary_json,
    iso,
    leaderboard_line_json,
    user_json,
)
from contest.auth import services as auth_services
from contest.auth.limits import login_per_account, login_per_address
from contest.auth.sessions import session_user
from contest.device_cookie import device_id, keep_device_id
from contest.extensions import db
from contest.models import Attempt, Contest
from contest.numbers import json_id
from contest.paging import requested_window
from contest.public.services import listed_contests, open_contests
from contest.quiz import services as quiz
from contest.rate_limits import limit_per_user
from contest.results.services import individual_leaderboard
from contest.setup import api_error

QUIZ_ERROR_STATUS = {
    quiz.NotAParticipant: 403,
    quiz.QuizClosed: 403,
    quiz.NoAttemptsLeft: 429,
    quiz.PaceLimited: 429,
    quiz.RoundInProgress: 409,
    quiz.RoundClosed: 409,
    quiz.QuestionNotInRound: 422,
    quiz.InvalidChoice: 422,
    quiz.BankTooSmall: 503,
}

quiz_rate_limit = limit_per_user("QUIZ_API_RATE_LIMIT")


@bp.errorhandler(quiz.QuizError)
def quiz_error(error: quiz.QuizError):
    extra = {"attempt_id": error.attempt_id} if error.attempt_id is not None else {}
    if isinstance(error, quiz.PaceLimited):
        extra["next_start_at"] = iso(error.next_start_at)
    response = api_error(error.code, str(error.message), QUIZ_ERROR_STATUS[type(error)], **extra)
    if isinstance(error, quiz.PaceLimited):
        wait = error.next_start_at - clock.utc_now()
        response.headers["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
    return response


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(api_error("invalid_json", _("Send a JSON object."), 400))
    return body


def _the_open_contest() -> Contest:
    """The one open contest, for the deprecated unscoped routes: 404 when none is open, 409
    when several are (the caller must then name one: /contests/{contest_slug}/...)."""
    found = open_contests(clock.utc_now())
    if not found:
        abort(api_error("no_open_contest", _("No contest is open now."), 404))
    if len(found) > 1:
        message = _("Several contests are open: use /api/v1/contests/{contest_slug}/… instead.")
        slugs = [contest.slug for contest in found]
        abort(api_error("ambiguous_contest", message, 409, contests=slugs))
    return found[0]


def _own_attempt(attempt_id: int) -> Attempt:
    # With its contest (the grace, the review policy, the thresholds): one statement.
    attempt = db.session.get(Attempt, attempt_id, options=[joinedload(Attempt.contest)])
    if attempt is None or not attempt.belongs_to(current_user):
        abort(api_error("not_found", _("This round does not exist."), 404))
    return attempt


@bp.get("/session")
def get_session():
    return jsonify(user=user_json(current_user), csrf_token=generate_csrf())


@bp.post("/session")
@login_per_account
@login_per_address
def create_session():
    body = _json_object()
    user = auth_services.authenticate(str(body.get("login", "")), str(body.get("password", "")))
    if user is None:
        return api_error("invalid_credentials", _("Wrong phone number, username or password."), 401)
    login_user(user)
    return jsonify(user=user_json(user), csrf_token=generate_csrf())


@bp.delete("/session")
def delete_session():
    auth_services.log_out(current_user)
    db.session.commit()
    logout_user()
    return jsonify(user=None, csrf_token=generate_csrf())


@bp.get("/contests")
def list_contests():
    now = clock.utc_now()
    listed = [contest_summary_json(contest, state) for contest, state in listed_contests(now)]
    return jsonify(server_time=iso(now), contests=listed)


@bp.get("/contests/<contest_slug>")
@quiz_rate_limit
def get_contest():
    return _contest_reply(g.contest)


@bp.get("/contest")
@quiz_rate_limit
def get_open_contest():
    """Deprecated: GET /contests/{contest_slug} for the one open contest."""
    return _contest_reply(_the_open_contest())


def _contest_reply(contest: Contest):
    now = clock.utc_now()
    allowance = active_id = pace = None
    if current_user.is_authenticated:
        status = quiz.round_status(contest, current_user, now, clock.local_zone())
        db.session.commit()  # keeps the grading of a round whose time ran out
        allowance, active_id = status.allowance, status.running_id
        pace = quiz.pace_standing(contest, current_user, now, status.started_in_pace_window)
    return jsonify(contest_json(contest, now, allowance, active_id, pace))


@bp.post("/contests/<contest_slug>/attempts")
@login_required
@quiz_rate_limit
def start_attempt():
    return _start_attempt(g.contest)


@bp.post("/attempts")
@login_required
@quiz_rate_limit
def start_open_attempt():
    """Deprecated: POST /contests/{contest_slug}/attempts in the one open contest."""
    return _start_attempt(_the_open_contest())


def _start_attempt(contest: Contest):
    now = clock.utc_now()
    device = device_id()
    attempt, sheet = quiz.start_round(
        contest,
        current_user,
        now,
        clock.local_zone(),
        random.SystemRandom(),
        device_id=device,
        client_address=request.remote_addr,
    )
    db.session.commit()
    reply = jsonify(attempt_json(attempt, now, reveal_key=False, sheet=sheet))
    return keep_device_id(reply, device), 201


@bp.get("/attempts/<int:attempt_id>")
@login_required
@quiz_rate_limit
def get_attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    now = clock.utc_now()
    quiz.grade_if_overdue(attempt, now)
    sheet = quiz.read_sheet(attempt)
    db.session.commit()
    reveal = attempt.answer_key_visible(now)
    return jsonify(attempt_json(attempt, now, reveal_key=reveal, sheet=sheet))


@bp.put("/attempts/<int:attempt_id>/answers/<int:question_id>")
@quiz_rate_limit
def save_answer(attempt_id: int, question_id: int):
    # The hot path: the user's id and session version from the signed session, everything
    # else (the version still current included) checked in SQL.
    who = session_user()
    if who is None:
        return api_error("not_authenticated", _("Please log in first."), 401)
    choice_id = json_id(_json_object().get("choice_id"))
    if choice_id is None:
        return api_error("invalid_choice", _("choice_id must be a whole number."), 422)
    now = clock.utc_now()
    if quiz.save_answer(attempt_id, who.id, question_id, choice_id, now, who.version):
        db.session.commit()
        return jsonify(question_id=question_id, choice_id=choice_id, saved_at=iso(now))
    if not current_user.is_authenticated:  # an account disabled or a session revoked since
        return api_error("not_authenticated", _("Please log in first."), 401)
    attempt = _own_attempt(attempt_id)
    try:
        quiz.explain_refused_save(attempt, question_id, choice_id, now)
    finally:
        db.session.commit()  # keeps the grading of a round whose time ran out


@bp.post("/attempts/<int:attempt_id>/shown")
@login_required
@quiz_rate_limit
def report_shown(attempt_id: int):
    """The round page's report of the questions that reached the participant's screen."""
    ids = _json_object().get("question_ids")
    if not isinstance(ids, list) or not 0 < len(ids) <= quiz.SHOWN_REPORT_MAX:
        limit = quiz.SHOWN_REPORT_MAX
        message = _("question_ids must be a list of 1 to %(max)s question ids.", max=limit)
        return api_error("invalid_question_ids", message, 422)
    question_ids = [json_id(each) for each in ids]
    if None in question_ids:
        return api_error("invalid_question_ids", _("Each question id must be a whole number."), 422)
    attempt = _own_attempt(attempt_id)
    now = clock.utc_now()
    try:
        shown = quiz.record_shown(attempt, question_ids, now)
    finally:
        db.session.commit()  # the report, or the grading of a round whose time ran out
    return jsonify(shown={str(question_id): iso(at) for question_id, at in shown.items()})


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
@quiz_rate_limit
def submit_attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    now = clock.utc_now()
    sheet = quiz.submit_round(attempt, now)
    db.session.commit()
    reveal = attempt.answer_key_visible(now)
    return jsonify(attempt_json(attempt, now, reveal_key=reveal, sheet=sheet))


@bp.get("/contests/<contest_slug>/leaderboard")
def leaderboard():
    return _leaderboard(g.contest)


@bp.get("/leaderboard")
def open_leaderboard():
    """Deprecated: GET /contests/{contest_slug}/leaderboard of the one open contest."""
    return _leaderboard(_the_open_contest())


def _leaderboard(contest: Contest):
    if not contest.leaderboard_is_visible_to(current_user, clock.utc_now()):
        message = _("The leaderboard is shown once the quiz closes.")
        return api_error("leaderboard_hidden", message, 403)
    limit, offset = requested_window()
    lines = individual_leaderboard(contest, limit=limit, offset=offset)
    return jsonify(contest_id=contest.id, lines=[leaderboard_line_json(line) for line in lines])


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
