from flask import Blueprint

# The bank is site-wide (/organizer/questions/); a contest's draw rules and its questions'
# statistics are the contest's own (/contests/<slug>/organizer/questions/).
bp = Blueprint("questions", __name__)
contest_bp = Blueprint("contest_questions", __name__)

from contest.questions import legal_views, views  # noqa: E402, F401
