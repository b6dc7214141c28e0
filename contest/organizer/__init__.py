from flask import Blueprint

# Site-wide organizer pages (/organizer/: the contests), and a contest's own pages
# (/contests/<slug>/organizer/).
bp = Blueprint("organizer", __name__)
contest_bp = Blueprint("contest_organizer", __name__)

from contest.organizer import views  # noqa: E402, F401
