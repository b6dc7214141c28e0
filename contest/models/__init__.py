"""All models, imported here so that Alembic sees every table."""

from contest.models.audit import AuditEntry
from contest.models.contest import (
    Contest,
    ContestDocument,
    ContestState,
    DrawQuota,
    ParticipatingUnit,
    ReviewPolicy,
    is_valid_slug,
)
from contest.models.judging import JudgeAssignment, RubricCriterion, Score, ScoreItem, ScoreState
from contest.models.legal import LegalDocument
from contest.models.people import CredentialHandoff, Role, Unit, UnitGroup, User, UserRole
from contest.models.quiz import (
    GRADED_STATES,
    Answer,
    Attempt,
    AttemptState,
    BestRound,
    Choice,
    Prediction,
    Question,
    ServedQuestion,
)
from contest.models.results import (
    PrizeTierRow,
    ResultsSnapshot,
    SnapshotIndividual,
    TieResolution,
)
from contest.models.review import ExcludedParticipant, ReviewDecision, RoundReview
from contest.models.scheduling import ContestMilestone, SchedulerLease
from contest.models.video import COUNTED_STATES, ENTERED_STATES, Video, VideoForm, VideoState

__all__ = [
    "COUNTED_STATES",
    "ENTERED_STATES",
    "GRADED_STATES",
    "Answer",
    "AuditEntry",
    "Attempt",
    "AttemptState",
    "BestRound",
    "Choice",
    "Contest",
    "ContestDocument",
    "ContestMilestone",
    "CredentialHandoff",
    "ContestState",
    "DrawQuota",
    "ExcludedParticipant",
    "JudgeAssignment",
    "LegalDocument",
    "ParticipatingUnit",
    "Prediction",
    "PrizeTierRow",
    "Question",
    "ResultsSnapshot",
    "ReviewDecision",
    "ReviewPolicy",
    "Role",
    "RoundReview",
    "RubricCriterion",
    "SchedulerLease",
    "SnapshotIndividual",
    "Score",
    "ScoreItem",
    "ScoreState",
    "ServedQuestion",
    "TieResolution",
    "Unit",
    "UnitGroup",
    "User",
    "UserRole",
    "Video",
    "VideoForm",
    "VideoState",
    "is_valid_slug",
]
