"""Organizers create contests (from the seed defaults or as a copy of a past one) and set each
one up: its settings index and a page per group of settings."""

from flask import Blueprint

# /contests/<contest_slug>/organizer/settings/...: one contest's settings pages.
bp = Blueprint("contest_setup", __name__)
# /organizer/contests/...: creating a contest, copying one.
contests_bp = Blueprint("contests", __name__)
# /contests/<contest_slug>/documents/...: the attached documents, for everyone.
documents_bp = Blueprint("contest_documents", __name__)

from contest.contest_setup import views  # noqa: E402, F401
