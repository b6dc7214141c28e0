"""The question bank and the rounds (attempts) participants play."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.clock import utc_now
from contest.domain.legal_basis import Window
from contest.domain.question_files.validation import fingerprint
from contest.domain.text import search_fold
from contest.extensions import db
from contest.models.legal import LegalDocument
from contest.models.people import User
from contest.models.types import UTCDateTime, value_enum

if TYPE_CHECKING:
    from contest.models.contest import Contest


def question_search_key(text: str, citation: str | None) -> str:
    """What a bank search matches: the question's text and its citation, folded."""
    return search_fold(f"{text} {citation or ''}")


class Question(db.Model):
    """One version of a question. Editing a question already served makes a new version, so
    past rounds keep the exact text and key they were graded on; only the current version
    (not superseded) is listed, edited or drawn."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(120), index=True)
    text: Mapped[str] = mapped_column(Text)
    # sha1 of the folded text (validation.fingerprint): finds duplicates without reading texts.
    fingerprint: Mapped[str] = mapped_column(
        String(40),
        index=True,
        default=lambda context: fingerprint(context.current_parameters["text"]),
    )
    citation: Mapped[str | None] = mapped_column(String(500))
    # The text and the citation folded (search_fold): "cong chuc" finds "công chức" on every
    # database. Set on insert (a bulk import too) and by the edit that changes the text.
    search_key: Mapped[str] = mapped_column(
        Text,
        default=lambda context: question_search_key(
            context.current_parameters["text"], context.current_parameters.get("citation")
        ),
        server_default="",
    )
    difficulty: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True, index=True)
    version: Mapped[int] = mapped_column(default=1)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"), index=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    # The legal basis (contest.domain.legal_basis): the document, the version followed, the
    # article, clause and point, the days this basis is in force within its document's, and
    # where the text was read. Empty when the question rests on no legal text (then flagged).
    legal_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("legal_documents.id"), index=True
    )
    basis_version: Mapped[str | None] = mapped_column(String(300))
    basis_article: Mapped[str | None] = mapped_column(String(20))
    basis_clause: Mapped[str | None] = mapped_column(String(20))
    basis_point: Mapped[str | None] = mapped_column(String(20))
    basis_in_force_from: Mapped[date | None] = mapped_column(Date)
    basis_in_force_until: Mapped[date | None] = mapped_column(Date)
    source_note: Mapped[str | None] = mapped_column(String(500))
    # Why a person must look at this question again (a REVIEW_REASONS key), None when not.
    review_reason: Mapped[str | None] = mapped_column(String(40), index=True)
    review_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    legal_document: Mapped[LegalDocument | None] = relationship()
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )
    previous_version: Mapped["Question | None"] = relationship(remote_side=[id])

    @property
    def correct_choice(self) -> "Choice":
        return next(choice for choice in self.choices if choice.is_correct)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @classmethod
    def is_current_clause(cls):
        """SQL for `is_current`: the latest version of each question."""
        return cls.superseded_at.is_(None)

    @property
    def basis_window(self) -> Window:
        """The days this question's basis is in force: its own window within its document's."""
        own = Window(self.basis_in_force_from, self.basis_in_force_until)
        if self.legal_document is None:
            return own
        return own.within(self.legal_document.window)

    @property
    def correct_index(self) -> int:
        return next(n for n, choice in enumerate(self.choices) if choice.is_correct)

    @property
    def choice_texts(self) -> tuple[str, ...]:
        return tuple(choice.text for choice in self.choices)


class Choice(db.Model):
    __tablename__ = "choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="choices")


class AttemptState(enum.Enum):
    ACTIVE = "active"
    SUBMITTED = "submitted"
    EXPIRED = "expired"  # graded automatically after its deadline and grace had passed


GRADED_STATES = (AttemptState.SUBMITTED, AttemptState.EXPIRED)


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        # At most one running round per participant and contest, even under racing requests.
        Index(
            "uq_attempts_one_active",
            "contest_id",
            "user_id",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
        Index("ix_attempts_contest_user", "contest_id", "user_id"),
        Index("ix_attempts_state_deadline", "state", "deadline_at"),
        Index("ix_attempts_contest_device", "contest_id", "device_id"),
        Index("ix_attempts_address_started", "client_address", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[AttemptState] = mapped_column(
        value_enum(AttemptState), default=AttemptState.ACTIVE
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_count: Mapped[int] = mapped_column()
    correct_count: Mapped[int | None] = mapped_column()
    duration_ms: Mapped[int | None] = mapped_column()
    # Where the round was played from, for the plausibility checks: the site's own device
    # cookie (a random id, not a fingerprint) and the client's address (as ProxyFix gives it).
    device_id: Mapped[str | None] = mapped_column(String(32))
    client_address: Mapped[str | None] = mapped_column(String(45))

    served: Mapped[list["ServedQuestion"]] = relationship(
        back_populates="attempt", order_by="ServedQuestion.position", cascade="all, delete-orphan"
    )
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )
    user: Mapped["User"] = relationship()
    contest: Mapped["Contest"] = relationship()

    @property
    def is_active(self) -> bool:
        return self.state is AttemptState.ACTIVE

    @property
    def submitted_automatically(self) -> bool:
        """Graded by the server because its time ran out before a submission arrived."""
        return self.state is AttemptState.EXPIRED

    @property
    def ran_out_of_time(self) -> bool:
        """Finished by its deadline: graded by the server, or submitted by the page when the
        countdown reached zero (the round's time then stops at the deadline)."""
        return self.submitted_automatically or (
            self.finished_at is not None and self.finished_at >= self.deadline_at
        )

    def answer_key_visible(self, now: datetime) -> bool:
        """Whether the participant may see the correct answers of this round at `now`."""
        return not self.is_active and self.contest.answers_are_reviewable(now)

    def belongs_to(self, user) -> bool:
        """Whether `user` is the participant who plays this round."""
        return user is not None and user.is_authenticated and user.id == self.user_id


class ServedQuestion(db.Model):
    """A question as served in one round: its position and the order its choices were shown."""

    __tablename__ = "served_questions"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column()
    choice_order: Mapped[str] = mapped_column(String(200))  # choice ids, comma-separated
    # When the client first reported the question on the participant's screen (the server's
    # clock at the report's arrival; the first report wins). Client-reported, so forgeable:
    # evidence for the plausibility checks (contest.domain.plausibility), never proof.
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="served")
    question: Mapped[Question] = relationship()

    @property
    def choice_ids(self) -> list[int]:
        """The choices in the order this round shows them."""
        return [int(part) for part in self.choice_order.split(",")]

    @choice_ids.setter
    def choice_ids(self, ids) -> None:
        self.choice_order = ",".join(str(choice_id) for choice_id in ids)


class Answer(db.Model):
    """The choice a participant saved for one question of one round, and when."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    choice_id: Mapped[int] = mapped_column(ForeignKey("choices.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last save
    # The first save: a changed answer keeps it (None for answers saved before it was kept).
    first_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class BestRound(db.Model):
    """Each participant's best graded round in a contest, kept as rounds are graded.

    The rankings read only these rows, in the index's order, so a leaderboard page never
    looks at the million rounds behind it. "Best" is contest.domain.ranking's order: most
    correct, shortest duration, earliest finish, then the first played.
    """

    __tablename__ = "best_rounds"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    correct_count: Mapped[int] = mapped_column()
    question_count: Mapped[int] = mapped_column()
    duration_ms: Mapped[int] = mapped_column()
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The participant's unit (users.unit_id), copied so the unit tallies read this table's
    # index alone; the upsert writes it and _follow_unit_change keeps it when a unit changes.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


# The ranking's order, so the first page of a leaderboard is the index's first entries.
Index(
    "ix_best_rounds_ranking",
    BestRound.contest_id,
    BestRound.correct_count.desc(),
    BestRound.duration_ms,
    BestRound.finished_at,
    BestRound.user_id,
)
# Everything the unit tallies sum, grouped in the index's order: no table row is read.
Index(
    "ix_best_rounds_unit_tally",
    BestRound.contest_id,
    BestRound.unit_id,
    BestRound.correct_count,
    BestRound.question_count,
)


@event.listens_for(User, "after_update")
def _follow_unit_change(mapper, connection, user: User) -> None:
    """A participant moved to another unit takes their best rounds along, in the same flush
    (every change made through the ORM; an UPDATE of users in bulk must set both itself)."""
    if inspect(user).attrs.unit_id.history.has_changes():
        connection.execute(
            update(BestRound.__table__)
            .where(BestRound.__table__.c.user_id == user.id)
            .values(unit_id=user.unit_id)
        )


class Prediction(db.Model):
    """A participant's answer to the contest's prediction question ("câu hỏi dự đoán")."""

    __tablename__ = "predictions"

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    value: Mapped[int] = mapped_column()
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
