"""The organizers' pages."""

from flask import abort, render_template

from contest import clock
from contest.auth.decorators import role_required
from contest.models import Contest, Role
from contest.organizer import bp
from contest.organizer.services import contest_overview
from contest.questions.messages import describe_rule_problem
from contest.questions.services import draw_rule_problems
from contest.results.services import individual_leaderboard


@bp.get("/")
@role_required(Role.ORGANIZER)
def dashboard():
    contest = Contest.current()
    if contest is None:
        abort(404)
    return render_template(
        "organizer/dashboard.html",
        contest=contest,
        now=clock.utc_now(),
        overview=contest_overview(contest),
        top=individual_leaderboard(contest, limit=10),
        rule_problems=[describe_rule_problem(p) for p in draw_rule_problems(contest)],
    )
