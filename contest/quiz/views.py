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
    running = quiz.running_attempt(contest, current_user, now)
    db.session.commit()  # keeps the grading of a round whose time ran out
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
    quiz.grade_if_overdue(attempt, now)
    db.session.commit()
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        answer_key=quiz.answer_key(attempt) if attempt.answer_key_visible(now) else None,
        chosen={answer.question_id: answer.choice_id for answer in attempt.answers},
    )
