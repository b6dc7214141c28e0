"""The participant's pages: the quiz home, the round page (driven by the API), a result."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from contest import clock
from contest.extensions import db
from contest.models import Attempt, RoundReview
from contest.quiz import bp, plausibility
from contest.quiz import services as quiz
from contest.quiz.forms import PredictionForm


@bp.get("/")
@login_required
def home():
    contest = g.contest
    now = clock.utc_now()
    running = quiz.running_attempt(contest, current_user, now)
    db.session.commit()  # keeps the grading of a round whose time ran out
    allowance = quiz.allowance(contest, current_user, now, clock.local_zone())
    return render_template(
        "quiz/home.html",
        contest=contest,
        now=now,
        running=running,
        allowance=allowance,
        next_round_at=quiz.next_round_at(contest, allowance, now, clock.local_zone()),
        pace_limited=quiz.pace_refusal(contest, current_user, now),
        attempts=quiz.attempts_of(contest, current_user),
        prediction=quiz.prediction_of(contest, current_user),
        prediction_form=PredictionForm(),
    )


@bp.post("/prediction")
@login_required
def prediction():
    contest = g.contest
    form = PredictionForm()
    if not form.validate_on_submit():
        for error in form.value.errors:
            flash(str(error), "error")
        return redirect(url_for("quiz.home")), 303
    try:
        quiz.save_prediction(contest, current_user, form.value.data, clock.utc_now())
    except quiz.QuizError as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("quiz.home")), 303
    db.session.commit()
    flash(_("Your prediction is saved."), "success")
    return redirect(url_for("quiz.home")), 303


@bp.get("/round")
@login_required
def round_page():
    contest = g.contest
    now = clock.utc_now()
    allowance = quiz.allowance(contest, current_user, now, clock.local_zone())
    return render_template(
        "quiz/round.html",
        contest=contest,
        allowance=allowance,
        next_round_at=quiz.next_round_at(contest, allowance, now, clock.local_zone()),
    )


@bp.get("/attempts/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.contest_id != g.contest.id:
        abort(404)
    if not attempt.belongs_to(current_user):
        abort(404)
    now = clock.utc_now()
    quiz.grade_if_overdue(attempt, now)
    db.session.commit()
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        review=db.session.get(RoundReview, attempt.id),
        exclusion=plausibility.exclusion_of(attempt.contest_id, attempt.user_id),
        answer_key=quiz.answer_key(attempt) if attempt.answer_key_visible(now) else None,
        chosen={answer.question_id: answer.choice_id for answer in attempt.answers},
    )
