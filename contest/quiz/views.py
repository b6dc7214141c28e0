"""The participant's pages: the quiz home, the round page (driven by the API), a result."""

from flask import abort, render_template
from flask_login import current_user, login_required

from contest import clock
from contest.extensions import db
from contest.models import Attempt, Contest
from contest.quiz import bp
from contest.quiz import services as quiz


@bp.get("/")
@login_required
def home():
    contest = Contest.current()
    if contest is None:
        abort(404)
    now = clock.utc_now()
    running = quiz.active_attempt(contest, current_user)
    if running is not None and quiz.grade_if_overdue(running, now):
        db.session.commit()
        running = None
    return render_template(
        "quiz/home.html",
        contest=contest,
        now=now,
        running=running,
        allowance=quiz.allowance(contest, current_user, now, clock.local_zone()),
        attempts=quiz.attempts_of(contest, current_user),
    )


@bp.get("/round")
@login_required
def round_page():
    return render_template("quiz/round.html")


@bp.get("/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not attempt.belongs_to(current_user):
        abort(404)
    now = clock.utc_now()
    if quiz.grade_if_overdue(attempt, now):
        db.session.commit()
    reveal = not attempt.is_active and attempt.contest.answers_are_reviewable(now)
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        answer_key=quiz.answer_key(attempt) if reveal else None,
        chosen={answer.question_id: answer.choice_id for answer in attempt.answers},
    )
