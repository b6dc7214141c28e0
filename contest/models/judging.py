"""The rubric, which judge scores which video, and the scores themselves."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.clock import utc_now
from contest.extensions import db
from contest.models.types import UTCDateTime, value_enum

if TYPE_CHECKING:
    from contest.models.contest import Contest
    from contest.models.people import User
    from contest.models.video import Video

POINTS = Numeric(7, 2)

# The seed plan's rubric, which every new contest starts from.
DEFAULT_RUBRIC = (
    ("Nội dung", Decimal(40), "Bám sát chủ đề cải cách hành chính, thông tin chính xác."),
    ("Sáng tạo", Decimal(30), "Ý tưởng mới, cách thể hiện độc đáo, cuốn hút."),
    ("Kỹ thuật", Decimal(20), "Hình ảnh, âm thanh, dựng phim, phụ đề."),
    ("Thông điệp", Decimal(10), "Thông điệp rõ ràng, dễ nhớ, lan tỏa."),
)


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criteria"
    __table_args__ = (CheckConstraint("max_points > 0", name="positive_max_points"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    max_points: Mapped[Decimal] = mapped_column(POINTS)
    guidance: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    contest: Mapped["Contest"] = relationship(back_populates="rubric")


class JudgeAssignment(db.Model):
    """A judge with at least one assignment in a contest sees only the videos assigned."""

    __tablename__ = "judge_assignments"
    __table_args__ = (UniqueConstraint("judge_id", "video_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)


class ScoreState(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    # The judge declared a conflict of interest: an abstention, never a zero.
    CONFLICT = "conflict"


# A comment says why, in a few paragraphs: the score sheet refuses a longer one.
MAX_COMMENT_LENGTH = 5000


class Score(db.Model):
    """One judge's score sheet for one video."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("video_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[ScoreState] = mapped_column(value_enum(ScoreState), default=ScoreState.DRAFT)
    comment: Mapped[str | None] = mapped_column(Text)
    total: Mapped[Decimal | None] = mapped_column(POINTS)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    video: Mapped["Video"] = relationship()
    judge: Mapped["User"] = relationship()
    items: Mapped[list["ScoreItem"]] = relationship(
        back_populates="score", cascade="all, delete-orphan"
    )

    def points_by_criterion(self) -> dict[int, Decimal]:
        return {item.criterion_id: item.points for item in self.items}


class ScoreItem(db.Model):
    __tablename__ = "score_items"
    __table_args__ = (
        UniqueConstraint("score_id", "criterion_id"),
        CheckConstraint("points >= 0", name="non_negative_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True
    )
    points: Mapped[Decimal] = mapped_column(POINTS)

    score: Mapped[Score] = relationship(back_populates="items")
