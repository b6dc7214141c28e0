from flask import Blueprint

bp = Blueprint("questions", __name__)

from contest.questions import views  # noqa: E402, F401
