"""A contest: its windows, its round rules and its attempt limits."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.clock import utc_now
from contest.domain.drawing import DrawRules
from contest.extensions import db
from contest.models.types import UTCDateTime, value_enum


class ReviewPolicy(enum.Enum):
    """When a participant may see the correct answers of a submitted round."""

    NEVER = "never"
    AFTER_SUBMIT = "after_submit"
    AFTER_CLOSE = "after_close"


class Contest(db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    organizer_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    quiz_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    quiz_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    video_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    video_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    questions_per_round: Mapped[int] = mapped_column(default=10)
    round_time_limit_seconds: Mapped[int] = mapped_column(default=600)
    submission_grace_seconds: Mapped[int] = mapped_column(default=5)
    max_attempts_total: Mapped[int | None] = mapped_column()
    max_attempts_per_day: Mapped[int | None] = mapped_column()
    review_policy: Mapped[ReviewPolicy] = mapped_column(
        value_enum(ReviewPolicy), default=ReviewPolicy.AFTER_CLOSE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    draw_quotas: Mapped[list["DrawQuota"]] = relationship(
        back_populates="contest",
        cascade="all, delete-orphan",
        order_by="DrawQuota.id",
    )

    @classmethod
    def current(cls) -> "Contest | None":
        """The contest the site is about: the one whose quiz opened (or opens) last."""
        return db.session.scalars(
            select(cls).order_by(cls.quiz_opens_at.desc(), cls.id.desc()).limit(1)
        ).first()

    def quiz_is_open(self, now: datetime) -> bool:
        """Whether rounds may be started at `now` (computed, never a stored flag)."""
        return self.quiz_opens_at <= now < self.quiz_closes_at

    def quiz_opens_later(self, now: datetime) -> bool:
        """Whether the quiz window is still to come at `now`."""
        return now < self.quiz_opens_at

    def draw_rules(self) -> DrawRules:
        """How many questions a round has and the quotas they are drawn under."""
        return DrawRules(
            question_count=self.questions_per_round,
            topic_quotas={q.topic: q.question_count for q in self.draw_quotas if q.topic},
            difficulty_quotas={
                q.difficulty: q.question_count for q in self.draw_quotas if q.difficulty
            },
        )

    def answers_are_reviewable(self, now: datetime) -> bool:
        """Whether a submitted round may show its correct answers at `now`."""
        if self.review_policy is ReviewPolicy.AFTER_SUBMIT:
            return True
        return self.review_policy is ReviewPolicy.AFTER_CLOSE and now >= self.quiz_closes_at


class DrawQuota(db.Model):
    """How many questions of a round must come from one topic, or from one difficulty."""

    __tablename__ = "draw_quotas"
    __table_args__ = (
        CheckConstraint("(topic IS NULL) <> (difficulty IS NULL)", name="topic_or_difficulty"),
        CheckConstraint("question_count > 0", name="positive_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[str | None] = mapped_column(String(120))
    difficulty: Mapped[str | None] = mapped_column(String(20))
    question_count: Mapped[int] = mapped_column()

    contest: Mapped[Contest] = relationship(back_populates="draw_quotas")
