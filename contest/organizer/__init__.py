from flask import Blueprint

bp = Blueprint("organizer", __name__)

from contest.organizer import views  # noqa: E402, F401
