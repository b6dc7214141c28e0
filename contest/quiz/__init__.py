from flask import Blueprint

bp = Blueprint("quiz", __name__)

from contest.quiz import views  # noqa: E402, F401
