"""Rounds the plausibility checks flagged, the organizers' decisions on them, and the
participants excluded from a contest (contest.domain.plausibility decides the flags)."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.extensions import db
from contest.models.people import User
from contest.models.quiz import Attempt
from contest.models.types import UTCDateTime, value_enum


class ReviewDecision(enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # ranked like any round
    EXCLUDED = "excluded"  # out of the ranking and the prizes, with its reason


class RoundReview(db.Model):
    """A flagged round: its flags and their evidence (a timeline per question), and the
    organizers' decision. Rounds without flags have no row."""

    __tablename__ = "round_reviews"
    __table_args__ = (Index("ix_round_reviews_queue", "contest_id", "decision"),)

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True
    )
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Under the plausibility floor (a timing flag): not ranked until an organizer accepts it.
    held: Mapped[bool] = mapped_column()
    flags: Mapped[list] = mapped_column(JSON)  # contest.domain.plausibility.Flag values
    evidence: Mapped[dict] = mapped_column(JSON)  # Assessment.evidence()
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[ReviewDecision] = mapped_column(
        value_enum(ReviewDecision), default=ReviewDecision.PENDING
    )
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[Attempt] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_pending(self) -> bool:
        return self.decision is ReviewDecision.PENDING

    @property
    def is_ranked(self) -> bool:
        """Whether the round counts in the ranking as things stand."""
        if self.decision is ReviewDecision.PENDING:
            return not self.held
        return self.decision is ReviewDecision.ACCEPTED


class ExcludedParticipant(db.Model):
    """A participant the organizers excluded from a contest: none of their rounds is ranked."""

    __tablename__ = "excluded_participants"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
