from flask import Blueprint

bp = Blueprint("people", __name__)

from contest.people import must_change, views  # noqa: E402, F401
