"""All models, imported here so that Alembic sees every table."""

from contest.models.contest import Contest, DrawQuota, ReviewPolicy
from contest.models.people import Role, Unit, UnitGroup, User, UserRole
from contest.models.quiz import (
    GRADED_STATES,
    Answer,
    Attempt,
    AttemptState,
    Choice,
    Question,
    ServedQuestion,
)

__all__ = [
    "GRADED_STATES",
    "Answer",
    "Attempt",
    "AttemptState",
    "Choice",
    "Contest",
    "DrawQuota",
    "Question",
    "ReviewPolicy",
    "Role",
    "ServedQuestion",
    "Unit",
    "UnitGroup",
    "User",
    "UserRole",
]
