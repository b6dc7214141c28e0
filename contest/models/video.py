"""The units' propaganda videos, from the first uploaded part to a file every browser plays."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.clock import utc_now
from contest.domain.text import mask_words
from contest.extensions import db
from contest.models.judging import JudgeAssignment
from contest.models.people import Role
from contest.models.types import UTCDateTime, value_enum

if TYPE_CHECKING:
    from contest.models.contest import Contest
    from contest.models.people import Unit, User


class VideoForm(enum.Enum):
    """The artistic forms the contest plan names."""

    SONG = "song"
    MUSICAL_DRAMA = "musical_drama"
    STAGE = "stage"
    NARRATION = "narration"
    OTHER = "other"


class VideoState(enum.Enum):
    """uploading → received → processing → ready | failed | rejected; withdrawn at any time.

    Rejected means the file is not an acceptable video (its bytes are deleted and the unit
    uploads again); failed means our processing broke (the file is kept and an organizer may
    retry).
    """

    UPLOADING = "uploading"
    RECEIVED = "received"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# A video in one of these states is entered in the contest: received whole, not withdrawn or
# rejected. It counts for the unit's scores, rankings and exports.
ENTERED_STATES = (VideoState.RECEIVED, VideoState.PROCESSING, VideoState.READY)

# A video in one of these states still holds (or will hold) one of the unit's places.
COUNTED_STATES = (
    VideoState.UPLOADING,
    VideoState.RECEIVED,
    VideoState.PROCESSING,
    VideoState.READY,
    VideoState.FAILED,
)


class Video(db.Model):
    __tablename__ = "videos"
    __table_args__ = (
        Index("ix_videos_contest_unit_state", "contest_id", "unit_id", "state"),
        # Never reuse a cancelled upload's id: a browser may still hold it to resume.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A replacement waits beside the video it replaces, which is withdrawn once this one is ready.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    form: Mapped[VideoForm] = mapped_column(value_enum(VideoForm))
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    part_size: Mapped[int] = mapped_column(BigInteger)
    upload_id: Mapped[str | None] = mapped_column(String(1024))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    playback_key: Mapped[str | None] = mapped_column(String(200))
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[VideoState] = mapped_column(
        value_enum(VideoState), default=VideoState.UPLOADING, index=True
    )
    failure_code: Mapped[str | None] = mapped_column(String(40))
    failure_detail: Mapped[str | None] = mapped_column(Text)
    container: Mapped[str | None] = mapped_column(String(20))
    duration_seconds: Mapped[float | None] = mapped_column()
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    video_codec: Mapped[str | None] = mapped_column(String(40))
    audio_codec: Mapped[str | None] = mapped_column(String(40))
    transcoded: Mapped[bool] = mapped_column(default=False)
    processing_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processing_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contest: Mapped["Contest"] = relationship()
    unit: Mapped["Unit"] = relationship()
    uploaded_by: Mapped["User | None"] = relationship()
    replaces: Mapped["Video | None"] = relationship(remote_side=[id])

    @property
    def part_count(self) -> int:
        return max(1, -(-self.size_bytes // self.part_size))

    def expected_part_size(self, number: int) -> int:
        """The exact size part `number` (1-based) must have."""
        if number < self.part_count:
            return self.part_size
        return self.size_bytes - self.part_size * (self.part_count - 1)

    @property
    def playback_mimetype(self) -> str:
        """WebM played as sent; everything else is (or was made) an MP4."""
        return "video/webm" if self.container == "webm" and not self.transcoded else "video/mp4"

    @property
    def is_live(self) -> bool:
        """Not withdrawn and not rejected: the unit still has it in the contest."""
        return self.state in COUNTED_STATES

    def stored_keys(self) -> list[str]:
        """Every object this video owns in storage."""
        keys = {self.storage_key, self.playback_key, self.thumbnail_key}
        return sorted(key for key in keys if key)

    def is_managed_by(self, user: "User") -> bool:
        """Whether `user` is an admin of the unit that owns the video."""
        return user.has_role(Role.UNIT_ADMIN) and user.unit_id == self.unit_id

    def conflicts_with(self, judge: "User") -> bool:
        """A judge linked to the video's unit never sees or scores it."""
        return judge.unit_id is not None and judge.unit_id == self.unit_id

    def is_assigned_to(self, judge: "User") -> bool:
        """Judges see every video unless organizers assigned them some in this contest."""
        assigned = select(JudgeAssignment.video_id).join(
            Video, Video.id == JudgeAssignment.video_id
        )
        assigned = assigned.where(
            JudgeAssignment.judge_id == judge.id, Video.contest_id == self.contest_id
        )
        video_ids = set(db.session.scalars(assigned))
        return not video_ids or self.id in video_ids

    def can_be_scored_by(self, user: "User") -> bool:
        """A judge scores a ready video that is not their unit's and that they are given."""
        return (
            user.has_role(Role.JUDGE)
            and self.state is VideoState.READY
            and not self.conflicts_with(user)
            and self.is_assigned_to(user)
        )

    def can_be_watched_by(self, user: "User", now: datetime) -> bool:
        """Organizers, the owner unit's admins and its judges; everyone in a published gallery."""
        if self.state is not VideoState.READY:
            return user.is_authenticated and (
                user.has_role(Role.ORGANIZER) or self.is_managed_by(user)
            )
        if self.contest.video_gallery_public and self.contest.results_are_published(now):
            return True
        if not user.is_authenticated:
            return False
        return (
            user.has_role(Role.ORGANIZER) or self.is_managed_by(user) or self.can_be_scored_by(user)
        )

    def unit_shown_to(self, user: "User") -> bool:
        """With blind judging, judges do not learn whose video it is; everyone else may."""
        if not self.contest.judging_blind or not user.has_role(Role.JUDGE):
            return True
        return user.has_role(Role.ORGANIZER) or self.is_managed_by(user)

    def _blinded(self, text: str | None, user: "User") -> str | None:
        if self.unit_shown_to(user):
            return text
        return mask_words(text, (self.unit.name, self.unit.code))

    def title_for(self, user: "User") -> str:
        """The title; under blind judging a judge reads it with the unit's name and code masked."""
        return self._blinded(self.title, user)

    def description_for(self, user: "User") -> str | None:
        """The description, masked for a blind judge like the title."""
        return self._blinded(self.description, user)

    def filename_for(self, user: "User") -> str | None:
        """The name the unit's file had (it often names the unit): None for a blind judge."""
        return self.original_filename if self.unit_shown_to(user) else None
