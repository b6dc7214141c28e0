"""The public face: the contest's announcement and rules."""

from flask import render_template

from contest import clock
from contest.models import Contest
from contest.public import bp


@bp.get("/")
def home():
    return render_template("public/home.html", contest=Contest.current(), now=clock.utc_now())
