"""Public rankings."""

from flask import abort, render_template, request

from contest.models import Contest
from contest.results import bp
from contest.results.services import individual_leaderboard

PAGE_SIZE = 100


@bp.get("/leaderboard")
def leaderboard():
    contest = Contest.current()
    if contest is None:
        abort(404)
    page = max(1, request.args.get("page", default=1, type=int))
    lines = individual_leaderboard(contest, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "results/leaderboard.html",
        contest=contest,
        lines=lines[:PAGE_SIZE],
        page=page,
        has_next=len(lines) > PAGE_SIZE,
    )
