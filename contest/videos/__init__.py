from flask import Blueprint

bp = Blueprint("videos", __name__)

from contest.videos import views  # noqa: E402, F401
