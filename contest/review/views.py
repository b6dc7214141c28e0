"""The review queue of flagged rounds, and the organizers' decisions on them."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest import clock
from contest.auth.decorators import role_required
from contest.errors import Refused
from contest.extensions import db
from contest.models import Role, RoundReview
from contest.paging import requested_page
from contest.review import bp, services
from contest.review.forms import DecisionForm


@bp.get("/")
@role_required(Role.ORGANIZER)
def queue():
    contest = g.contest
    shown, page = _requested_filter(), requested_page()
    size = services.QUEUE_PAGE
    lines = services.review_queue(contest, shown, limit=size + 1, offset=(page - 1) * size)
    undecided = shown.status == services.UNDECIDED
    return render_template(
        "review/queue.html",
        contest=contest,
        shown=shown,
        page=page,
        has_next=len(lines) > size,
        lines=lines[:size],
        counts=services.queue_counts(contest, shown.flag),
        forms={
            line.attempt.id: DecisionForm(formdata=None, prefix=_prefix(line.attempt.id))
            for line in lines[:size]
            if undecided
        },
    )


def _requested_filter() -> services.QueueFilter:
    return services.QueueFilter.read(request.args.get("status"), request.args.get("flag"))


def _back_to_queue():
    """To the queue as the organizer was looking at it (its filter and page)."""
    shown, page = _requested_filter(), requested_page()
    return redirect(url_for("review.queue", status=shown.status, flag=shown.flag, page=page)), 303


def _prefix(attempt_id: int) -> str:
    """Each round's decision form names its fields after the round: the page shows several."""
    return f"round-{attempt_id}-"


@bp.post("/<int:attempt_id>")
@role_required(Role.ORGANIZER)
def decide(attempt_id: int):
    review = db.session.get(RoundReview, attempt_id)
    if review is None or review.contest_id != g.contest.id:
        abort(404)
    form = DecisionForm(prefix=_prefix(attempt_id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _back_to_queue()
    try:
        services.decide_round(
            review, form.decision.data, form.reason.data, current_user, clock.utc_now()
        )
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return _back_to_queue()
    db.session.commit()
    flash(_("The decision is recorded; the ranking follows it."), "success")
    return _back_to_queue()
