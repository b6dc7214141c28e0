"""A contest: its windows, its round rules and its attempt limits."""

import enum
import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    false,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from contest.clock import local_zone, utc_now
from contest.domain.drawing import DrawRules
from contest.domain.judging import Aggregation
from contest.domain.plausibility import DEFAULT_THRESHOLDS, Thresholds
from contest.domain.prizes import SEED_PRIZE_TABLE
from contest.errors import ContestArchived
from contest.extensions import db
from contest.models.judging import DEFAULT_RUBRIC, RubricCriterion
from contest.models.people import Role, Unit, User
from contest.models.results import PrizeTierRow, ResultsSnapshot
from contest.models.types import UTCDateTime, value_enum
from contest.models.video import VideoForm

DEFAULT_VIDEO_MAX_BYTES = 1024**3
DEFAULT_MAX_STARTS_PER_HOUR = 6
DEFAULT_MAX_EXPOSURE_PERCENT = 50
# A contest's slug is its part of the URLs (/contests/<slug>/): lowercase ASCII letters and
# digits, words joined by single hyphens ("cai-cach-hanh-chinh-2026").
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_valid_slug(slug: str) -> bool:
    """Whether `slug` can name a contest in URLs (at most 80 characters)."""
    return len(slug) <= 80 and SLUG_PATTERN.fullmatch(slug) is not None


class ReviewPolicy(enum.Enum):
    """When a participant may see the correct answers of a submitted round."""

    NEVER = "never"
    AFTER_SUBMIT = "after_submit"
    AFTER_CLOSE = "after_close"


class ContestState(enum.Enum):
    """Where a contest stands, as the home page and GET /api/v1/contests show it."""

    UPCOMING = "upcoming"  # no window open yet
    OPEN = "open"  # the quiz or the video window has opened and the contest has not closed
    CLOSED = "closed"  # closed, results not published yet
    PUBLISHED = "published"  # approved results published: an archive, read-only


class Contest(db.Model):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    organizer_name: Mapped[str | None] = mapped_column(String(300))
    # The body above the organizer (e.g. "UBND tỉnh ..."), printed above it on certificates.
    authority_name: Mapped[str | None] = mapped_column(String(300))
    # What certificates print (Nghị định 30/2020/NĐ-CP): "<place>, ngày … tháng … năm …", the
    # signer under "TM. BAN TỔ CHỨC" and their title, the number of the decision awarding the
    # prizes, and the prize money only when the organizers want it printed.
    place_name: Mapped[str | None] = mapped_column(String(100))
    signer_name: Mapped[str | None] = mapped_column(String(120))
    signer_title: Mapped[str | None] = mapped_column(String(120))
    award_decision: Mapped[str | None] = mapped_column(String(200))
    certificate_shows_amount: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Thể lệ: plain text, shown escaped with paragraphs and links (contest.domain.rules_text).
    rules_text: Mapped[str | None] = mapped_column(Text)
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
    # The pace limit: at most this many rounds started in any hour by one participant (None:
    # no limit), besides the attempt limits; it slows a script down, not a person.
    # Its default is set in __init__: with a column default, the ORM would store the default
    # in place of an explicit None (a contest copied from one without a pace limit).
    max_starts_per_hour: Mapped[int | None] = mapped_column()
    # The share of the bank (percent) one participant may see before the close before the
    # draw-rules page warns (contest.domain.exposure).
    max_exposure_percent: Mapped[int] = mapped_column(
        default=DEFAULT_MAX_EXPOSURE_PERCENT, server_default=str(DEFAULT_MAX_EXPOSURE_PERCENT)
    )
    review_policy: Mapped[ReviewPolicy] = mapped_column(
        value_enum(ReviewPolicy), default=ReviewPolicy.AFTER_CLOSE
    )
    max_videos_per_unit: Mapped[int] = mapped_column(default=2)
    video_max_bytes: Mapped[int] = mapped_column(BigInteger, default=DEFAULT_VIDEO_MAX_BYTES)
    video_max_duration_seconds: Mapped[int | None] = mapped_column()
    # The video forms units may choose, a comma list of VideoForm values; None: every form.
    allowed_video_forms: Mapped[str | None] = mapped_column(String(200))
    # Whether anyone may see the leaderboard before the quiz closes (organizers always may).
    leaderboard_public: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Whether anyone may see the unit ranking (tập thể) before the results are published.
    unit_ranking_public: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The contest's emblem (a small PNG or JPEG in the storage, as documents are), shown in
    # the top bar of its pages; its media type says how to serve it.
    emblem_key: Mapped[str | None] = mapped_column(String(300))
    emblem_type: Mapped[str | None] = mapped_column(String(20))
    judging_blind: Mapped[bool] = mapped_column(default=False)
    score_aggregation: Mapped[Aggregation] = mapped_column(
        value_enum(Aggregation), default=Aggregation.MEAN
    )
    video_gallery_public: Mapped[bool] = mapped_column(default=False)
    # The unit score's weights (percent, summing to 100) and the prize eligibility options.
    weight_participation: Mapped[int] = mapped_column(default=30)
    weight_accuracy: Mapped[int] = mapped_column(default=30)
    weight_video: Mapped[int] = mapped_column(default=40)
    unit_prize_requires_video: Mapped[bool] = mapped_column(default=False)
    max_individual_prizes_per_unit: Mapped[int | None] = mapped_column()
    # A unit below this participation (participants / headcount, in %) takes no collective prize.
    min_participation_percent: Mapped[int] = mapped_column(default=0, server_default="0")
    # The optional prediction question breaks ties of the individual ranking once the
    # organizers enter its true value, after closing (contest.domain.ranking).
    prediction_question: Mapped[str | None] = mapped_column(Text)
    prediction_true_value: Mapped[int | None] = mapped_column()
    # Whether people may register themselves for this contest (else imported accounts only);
    # the site's rule over all contests is contest.auth.services.self_registration_is_open.
    registration_open: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The day the questions must be in force on (contest.domain.legal_basis); None: the day
    # the quiz opens. A contest about history may draw questions out of force all the same.
    reference_date: Mapped[date | None] = mapped_column(Date)
    draws_out_of_force: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The plausibility thresholds (contest.domain.plausibility.Thresholds; the defaults are
    # DEFAULT_THRESHOLDS, measured by bench/plausibility_sim.py).
    floor_reading_chars_per_second: Mapped[int] = mapped_column(
        default=DEFAULT_THRESHOLDS.reading_chars_per_second,
        server_default=str(DEFAULT_THRESHOLDS.reading_chars_per_second),
    )
    floor_motor_ms: Mapped[int] = mapped_column(
        default=DEFAULT_THRESHOLDS.motor_ms, server_default=str(DEFAULT_THRESHOLDS.motor_ms)
    )
    flag_regular_cv_percent: Mapped[int] = mapped_column(
        default=DEFAULT_THRESHOLDS.regular_cv_percent,
        server_default=str(DEFAULT_THRESHOLDS.regular_cv_percent),
    )
    flag_device_accounts: Mapped[int] = mapped_column(
        default=DEFAULT_THRESHOLDS.device_accounts,
        server_default=str(DEFAULT_THRESHOLDS.device_accounts),
    )
    flag_address_rounds: Mapped[int] = mapped_column(
        default=DEFAULT_THRESHOLDS.address_rounds,
        server_default=str(DEFAULT_THRESHOLDS.address_rounds),
    )
    # Answers to questions never reported shown that flag a round (0: the check is off).
    flag_unshown_answers: Mapped[int] = mapped_column(
        default=DEFAULT_THRESHOLDS.unshown_answers,
        server_default=str(DEFAULT_THRESHOLDS.unshown_answers),
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    rubric: Mapped[list[RubricCriterion]] = relationship(
        back_populates="contest",
        cascade="all, delete-orphan",
        order_by="RubricCriterion.position",
    )
    prize_table: Mapped[list[PrizeTierRow]] = relationship(
        back_populates="contest",
        cascade="all, delete-orphan",
        order_by=[PrizeTierRow.category, PrizeTierRow.position],
    )
    draw_quotas: Mapped[list["DrawQuota"]] = relationship(
        back_populates="contest",
        cascade="all, delete-orphan",
        order_by="DrawQuota.id",
    )
    documents: Mapped[list["ContestDocument"]] = relationship(
        back_populates="contest",
        cascade="all, delete-orphan",
        order_by="ContestDocument.id",
    )

    def __init__(self, **values) -> None:
        # Every new contest starts from the seed plan's rubric and prize table; organizers then
        # edit them.
        values.setdefault("max_starts_per_hour", DEFAULT_MAX_STARTS_PER_HOUR)
        values.setdefault(
            "rubric",
            [
                RubricCriterion(name=name, max_points=points, guidance=guidance, position=n)
                for n, (name, points, guidance) in enumerate(DEFAULT_RUBRIC)
            ],
        )
        values.setdefault(
            "prize_table",
            [
                PrizeTierRow(
                    category=tier.category,
                    name=tier.name,
                    prize_count=tier.count,
                    amount=tier.amount,
                    position=tier.position,
                )
                for tier in SEED_PRIZE_TABLE
            ],
        )
        super().__init__(**values)

    @validates("slug")
    def _check_slug(self, key: str, slug: str) -> str:
        if not is_valid_slug(slug):
            raise ValueError(f"invalid contest slug {slug!r}: lowercase letters, digits, hyphens")
        return slug

    @property
    def opens_at(self) -> datetime:
        """When the contest opens: the earlier of the quiz and the video windows' opens."""
        if self.video_opens_at is None:
            return self.quiz_opens_at
        return min(self.quiz_opens_at, self.video_opens_at)

    def has_approved_results(self) -> bool:
        """Whether an approved results snapshot is in force (not revoked)."""
        approved = select(ResultsSnapshot.id).where(
            ResultsSnapshot.contest_id == self.id, ResultsSnapshot.revoked_at.is_(None)
        )
        return db.session.scalar(approved.limit(1)) is not None

    def is_archived(self, now: datetime) -> bool:
        """Whether its approved results are published at `now`: the contest is then read-only."""
        return self.results_are_published(now) and self.has_approved_results()

    def refuse_if_archived(self, now: datetime) -> None:
        """Raise ContestArchived when the contest is an archive at `now` (read-only)."""
        if self.is_archived(now):
            raise ContestArchived()

    def state(self, now: datetime) -> ContestState:
        """Upcoming, open, closed or published at `now`, from the stored timestamps."""
        if self.is_archived(now):
            return ContestState.PUBLISHED
        if now < self.opens_at:
            return ContestState.UPCOMING
        if now < self.closes_at:
            return ContestState.OPEN
        return ContestState.CLOSED

    def quiz_is_open(self, now: datetime) -> bool:
        """Whether rounds may be started at `now` (computed, never a stored flag)."""
        return self.quiz_opens_at <= now < self.quiz_closes_at

    def quiz_opens_later(self, now: datetime) -> bool:
        """Whether the quiz window is still to come at `now`."""
        return now < self.quiz_opens_at

    def video_window_is_open(self, now: datetime) -> bool:
        """Whether units may upload, replace or withdraw videos at `now`."""
        if self.video_opens_at is None or self.video_closes_at is None:
            return False
        return self.video_opens_at <= now < self.video_closes_at

    @property
    def closes_at(self) -> datetime:
        """When the contest closes: the later of the quiz and the video windows' closes."""
        if self.video_closes_at is None:
            return self.quiz_closes_at
        return max(self.quiz_closes_at, self.video_closes_at)

    def results_are_published(self, now: datetime) -> bool:
        """Whether the results (and so, if enabled, the video gallery) are public at `now`."""
        return self.results_publish_at is not None and now >= self.results_publish_at

    @property
    def rubric_max_total(self) -> Decimal:
        return sum((criterion.max_points for criterion in self.rubric), Decimal(0))

    def draw_rules(self) -> DrawRules:
        """How many questions a round has, the quotas they are drawn under, and the day their
        legal basis must be in force on (none when the contest draws questions out of force)."""
        return DrawRules(
            question_count=self.questions_per_round,
            topic_quotas={q.topic: q.question_count for q in self.draw_quotas if q.topic},
            difficulty_quotas={
                q.difficulty: q.question_count for q in self.draw_quotas if q.difficulty
            },
            in_force_on=None if self.draws_out_of_force else self.effective_reference_date,
        )

    @property
    def effective_reference_date(self) -> date:
        """The reference date set, else the day the quiz opens in the site's time zone."""
        if self.reference_date is not None:
            return self.reference_date
        return self.quiz_opens_at.astimezone(local_zone()).date()

    def leaderboard_is_visible_to(self, user, now: datetime) -> bool:
        """Whether `user` (maybe anonymous) may see the leaderboard at `now`: always after the
        quiz closes and for organizers; before that only when the organizers made it public."""
        if self.leaderboard_public or now >= self.quiz_closes_at:
            return True
        return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ORGANIZER))

    def unit_ranking_is_visible_to(self, user, now: datetime) -> bool:
        """Whether `user` may see the running unit ranking at `now`: where the leaderboard is
        visible, when the organizers made it public (organizers always may)."""
        if not self.leaderboard_is_visible_to(user, now):
            return False
        if self.unit_ranking_public:
            return True
        return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ORGANIZER))

    def video_forms(self) -> list[VideoForm]:
        """The video forms units may choose, in the order of VideoForm."""
        if not self.allowed_video_forms:
            return list(VideoForm)
        chosen = set(self.allowed_video_forms.split(","))
        return [form for form in VideoForm if form.value in chosen]

    def plausibility_thresholds(self) -> Thresholds:
        """The thresholds of the plausibility flags this contest has set."""
        return Thresholds(
            reading_chars_per_second=self.floor_reading_chars_per_second,
            motor_ms=self.floor_motor_ms,
            regular_cv_percent=self.flag_regular_cv_percent,
            device_accounts=self.flag_device_accounts,
            address_rounds=self.flag_address_rounds,
            unshown_answers=self.flag_unshown_answers,
        )

    def answers_are_reviewable(self, now: datetime) -> bool:
        """Whether a submitted round may show its correct answers at `now`."""
        shown_from = self.answers_shown_from()
        return shown_from is not None and now >= shown_from

    def answers_shown_from(self) -> datetime | None:
        """From when submitted rounds show their correct answers (None: never): from the
        quiz's opening after each round, else from its close (the default)."""
        if self.review_policy is ReviewPolicy.AFTER_SUBMIT:
            return self.quiz_opens_at
        if self.review_policy is ReviewPolicy.AFTER_CLOSE:
            return self.quiz_closes_at
        return None


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


class ParticipatingUnit(db.Model):
    """A unit taking part in a contest, with its headcount for that contest (the denominator
    of its participation rate). Only these units are ranked in the contest's unit ranking."""

    __tablename__ = "contest_units"
    __table_args__ = (CheckConstraint("headcount >= 0", name="non_negative_headcount"),)

    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)
    headcount: Mapped[int] = mapped_column()

    unit: Mapped["Unit"] = relationship()


class ContestDocument(db.Model):
    """A document attached to a contest (its plan, the decision that set it up): a PDF kept in
    the storage like videos; the original file name is kept for display."""

    __tablename__ = "contest_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    original_filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    contest: Mapped[Contest] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()
