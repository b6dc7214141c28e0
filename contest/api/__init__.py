from flask import Blueprint

bp = Blueprint("api", __name__)

from contest.api import videos, views  # noqa: E402, F401
