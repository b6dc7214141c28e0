"""A contest's prize table and the organizers' decisions on ties at prize boundaries."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.clock import utc_now
from contest.extensions import db
from contest.models.types import UTCDateTime

if TYPE_CHECKING:
    from contest.models.contest import Contest
    from contest.models.people import User


class PrizeTierRow(db.Model):
    """`count` prizes of `amount` VND in a category ("unit", "video", "individual")."""

    __tablename__ = "prize_tiers"
    __table_args__ = (
        UniqueConstraint("contest_id", "category", "position"),
        CheckConstraint("prize_count > 0", name="positive_count"),
        CheckConstraint("amount >= 0", name="non_negative_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    prize_count: Mapped[int] = mapped_column()
    amount: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column()

    contest: Mapped["Contest"] = relationship(back_populates="prize_table")


class TieResolution(db.Model):
    """How the organizers ordered the members of a tie at a prize boundary, and why."""

    __tablename__ = "tie_resolutions"
    __table_args__ = (UniqueConstraint("contest_id", "tie_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    tie_id: Mapped[str] = mapped_column(String(40))
    member_order: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    decided_by: Mapped["User | None"] = relationship()


class ResultsSnapshot(db.Model):
    """The rankings and prizes as the organizers approved them: later score changes do not
    move them. Reopening revokes a snapshot (logged); the next approval makes a new one."""

    __tablename__ = "results_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    remarks: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict] = mapped_column(JSON)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    approved_by: Mapped["User | None"] = relationship(foreign_keys=[approved_by_id])


class SnapshotIndividual(db.Model):
    """One line of the individual ranking as approved, names included: the public ranking
    is read from here, page by page, and later changes to people or rounds do not move it."""

    __tablename__ = "snapshot_individuals"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("results_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)  # 1.. in the ranking's order
    rank: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    full_name: Mapped[str] = mapped_column(String(120))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    correct_count: Mapped[int] = mapped_column()
    question_count: Mapped[int] = mapped_column()
    duration_ms: Mapped[int] = mapped_column()
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
