"""The public face: the site's contests, and each contest's announcement and rules."""

from flask import g, render_template

from contest import clock
from contest.public import bp
from contest.public.services import listed_contests


@bp.get("/")
def home():
    now = clock.utc_now()
    return render_template("public/home.html", contests=listed_contests(now), now=now)


@bp.get("/contests/<contest_slug>/")
def contest_home():
    now = clock.utc_now()
    contest = g.contest
    return render_template(
        "public/contest.html",
        contest=contest,
        now=now,
        state=contest.state(now),
    )
