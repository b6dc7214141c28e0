"""The organizers' review of flagged rounds: /contests/<contest_slug>/organizer/review/."""

from flask import Blueprint

bp = Blueprint("review", __name__)

from contest.review import views  # noqa: E402, F401
