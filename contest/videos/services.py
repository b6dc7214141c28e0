"""A unit's videos: starting, resuming, completing, cancelling, replacing and withdrawing uploads.

Services flush; the caller commits, then runs the returned Cleanup (storage effects happen
after the commit, so a rolled-back request never deletes bytes the database still points to).
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from contest.domain.text import clean_lines, clean_text
from contest.errors import Refused
from contest.extensions import db
from contest.i18n import format_size
from contest.models import (
    COUNTED_STATES,
    Contest,
    ParticipatingUnit,
    Role,
    Unit,
    User,
    Video,
    VideoForm,
    VideoState,
)
from contest.models.audit import record
from contest.storage import (
    IncompleteUpload,
    PartTooLarge,
    Storage,
    StoredPart,
    UploadNotFound,
)

MAX_FILENAME_LENGTH = 255
# S3 allows 10,000 parts; bigger files get bigger parts.
MAX_PARTS = 10_000
# An upload nobody has touched for this long is abandoned: its parts are dropped.
ABANDONED_AFTER = timedelta(days=2)
# The places a completion is counted against: videos received whole and still in the contest.
RECEIVED_PLACES = tuple(state for state in COUNTED_STATES if state is not VideoState.UPLOADING)


class VideoError(Refused):
    code = "video_error"
    message = _l("This video action is not possible.")


class NotUnitAdmin(VideoError):
    code, status = "not_unit_admin", 403
    message = _l("Only the video contact person of a unit can upload its videos.")


class VideoWindowClosed(VideoError):
    code, status = "video_window_closed", 409
    message = _l("The video window is closed: videos can no longer be uploaded or changed.")


class VideoLimitReached(VideoError):
    code, status = "video_limit_reached", 409


class VideoTooLarge(VideoError):
    code, status = "video_too_large", 413


class InvalidVideoDetails(VideoError):
    code, status = "invalid_video", 422
    message = _l("Check the video's details.")


class UploadNotOpen(VideoError):
    code, status = "upload_not_open", 409
    message = _l("This upload is already finished or cancelled.")


class PartRejected(VideoError):
    code, status = "part_rejected", 400


class UploadIncomplete(VideoError):
    code, status = "upload_incomplete", 409
    message = _l("Some parts of the file have not arrived yet; the upload will resume them.")


@dataclass(frozen=True)
class VideoDetails:
    """What the unit admin says about a video before sending it."""

    title: str
    description: str | None
    form: VideoForm
    filename: str
    size_bytes: int
    content_type: str | None = None


@dataclass
class Cleanup:
    """Storage effects to run once the database change is committed."""

    delete_keys: list[str] = field(default_factory=list)
    abort_uploads: list[tuple[str, str]] = field(default_factory=list)

    def run(self, storage: Storage) -> None:
        """Carry out the effects; missing objects are fine (every step is idempotent)."""
        for key, upload_id in self.abort_uploads:
            storage.abort_upload(key, upload_id)
        for key in self.delete_keys:
            storage.delete(key)


def display_filename(raw: str) -> str:
    """The name the user's file had, safe to show: no folders, no controls, NFC, ≤ 255 chars."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = clean_text(name).strip(". ") or "video"
    if len(name) <= MAX_FILENAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:MAX_FILENAME_LENGTH]
    return stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + "." + extension


def part_size_for(size_bytes: int, preferred: int) -> int:
    """The part size: the preferred one unless the file would need more than MAX_PARTS parts."""
    return max(preferred, -(-size_bytes // MAX_PARTS))


def unit_videos(contest: Contest, unit_id: int) -> list[Video]:
    """A unit's videos in this contest, newest first, rejected and withdrawn ones included."""
    query = (
        select(Video)
        .where(Video.contest_id == contest.id, Video.unit_id == unit_id)
        .order_by(Video.created_at.desc(), Video.id.desc())
    )
    return list(db.session.scalars(query))


def places_taken(
    contest: Contest,
    unit_id: int,
    states: tuple[VideoState, ...] = COUNTED_STATES,
    besides: Video | None = None,
) -> int:
    """How many of the unit's places are held: live videos, not counting pending replacements.

    A replacement whose video has left the contest (withdrawn, rejected) stands on its own.
    """
    replaced = aliased(Video)
    replaces_a_live_video = (
        select(replaced.id)
        .where(replaced.id == Video.replaces_id, replaced.state.in_(COUNTED_STATES))
        .exists()
    )
    query = select(func.count(Video.id)).where(
        Video.contest_id == contest.id,
        Video.unit_id == unit_id,
        Video.state.in_(states),
        ~replaces_a_live_video,
    )
    if besides is not None:
        query = query.where(Video.id != besides.id)
    return db.session.scalar(query) or 0


def _lock_unit(unit_id: int) -> None:
    """Make the unit's place counting one at a time, until the caller's commit.

    PostgreSQL: a row lock on the unit (NO KEY UPDATE, so inserting rows that refer to the unit
    is not held up). SQLite: a write to the unit's row takes the database's write lock first
    (pysqlite begins the transaction at the first write), so the count that follows sees every
    committed video and no other writer can add one before this transaction ends.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        lock = select(Unit.id).where(Unit.id == unit_id).with_for_update(key_share=True)
        db.session.execute(lock)
    else:
        touch = update(Unit).where(Unit.id == unit_id).values(position=Unit.position)
        db.session.execute(touch.execution_options(synchronize_session=False))


def _limit_reached(contest: Contest) -> VideoLimitReached:
    return VideoLimitReached(
        _l(
            "Your unit already has %(count)d videos, the most this contest accepts. "
            "Replace or withdraw one first.",
            count=contest.max_videos_per_unit,
        )
    )


def _check_manager(contest: Contest, user: User, now: datetime) -> None:
    contest.refuse_if_archived(now)
    if not user.has_role(Role.UNIT_ADMIN) or user.unit_id is None:
        raise NotUnitAdmin()
    if not contest.video_window_is_open(now):
        raise VideoWindowClosed()


def _check_details(contest: Contest, details: VideoDetails) -> None:
    if details.size_bytes <= 0:
        raise InvalidVideoDetails(_l("The file is empty."), field="size")
    if details.size_bytes > contest.video_max_bytes:
        raise VideoTooLarge(
            _l(
                "The file is %(size)s; the contest accepts videos up to %(limit)s.",
                size=format_size(details.size_bytes),
                limit=format_size(contest.video_max_bytes),
            )
        )
    if not clean_text(details.title):
        raise InvalidVideoDetails(_l("Give the video a title."), field="title")
    _check_form(contest, details.form)


def _check_form(contest: Contest, form: VideoForm) -> None:
    if form not in contest.video_forms():
        message = _l("This contest does not accept videos of this form.")
        raise InvalidVideoDetails(message, field="form")


def start_upload(
    contest: Contest,
    uploader: User,
    details: VideoDetails,
    part_size: int,
    storage: Storage,
    now: datetime,
    replaces: Video | None = None,
) -> Video:
    """Open a multipart upload for a new video of the uploader's unit (or a replacement)."""
    _check_manager(contest, uploader, now)
    _check_details(contest, details)
    if replaces is not None:
        if not replaces.is_managed_by(uploader) or replaces.contest_id != contest.id:
            raise NotUnitAdmin()
        if replaces.state not in COUNTED_STATES or replaces.state is VideoState.UPLOADING:
            raise InvalidVideoDetails(_l("Only a received video can be replaced."))
    # Counted under the unit's lock, so racing starts cannot all see a free place.
    _lock_unit(uploader.unit_id)
    if replaces is not None:
        if _pending_replacement(replaces) is not None:
            raise VideoLimitReached(
                _l("This video already has a replacement on its way: cancel or withdraw it first.")
            )
    elif places_taken(contest, uploader.unit_id) >= contest.max_videos_per_unit:
        raise _limit_reached(contest)
    key = f"videos/{contest.id}/{uuid.uuid4().hex}/original"
    content_type = (details.content_type or "application/octet-stream")[:100]
    video = Video(
        contest=contest,
        unit_id=uploader.unit_id,
        uploaded_by=uploader,
        replaces=replaces,
        title=clean_text(details.title)[:200],
        description=clean_lines(details.description) or None,
        form=details.form,
        original_filename=display_filename(details.filename),
        content_type=content_type,
        size_bytes=details.size_bytes,
        part_size=part_size_for(details.size_bytes, part_size),
        storage_key=key,
        state=VideoState.UPLOADING,
        created_at=now,
        last_activity_at=now,
    )
    video.upload_id = storage.start_upload(key, content_type)
    db.session.add(video)
    db.session.flush()
    return video


def edit_video(
    video: Video, user: User, title: str, description: str | None, form: VideoForm, now: datetime
) -> Video:
    """Correct a video's title, description or form inside the window."""
    _check_manager(video.contest, user, now)
    if not video.is_managed_by(user):
        raise NotUnitAdmin()
    if not video.is_live:
        raise UploadNotOpen(_l("This video is no longer in the contest."))
    if not clean_text(title):
        raise InvalidVideoDetails(_l("Give the video a title."), field="title")
    if form is not video.form:  # a video entered before its form was withdrawn keeps it
        _check_form(video.contest, form)
    video.title = clean_text(title)[:200]
    video.description = clean_lines(description) or None
    video.form = form
    db.session.flush()
    return video


def _pending_replacement(video: Video) -> Video | None:
    """The live replacement already started for this video, if any."""
    query = select(Video).where(Video.replaces_id == video.id, Video.state.in_(COUNTED_STATES))
    return db.session.scalars(query.limit(1)).first()


def _open_upload(video: Video, now: datetime) -> str:
    if video.state is not VideoState.UPLOADING or video.upload_id is None:
        raise UploadNotOpen()
    if not video.contest.video_window_is_open(now):
        raise VideoWindowClosed()
    return video.upload_id


def _check_part_number(video: Video, number: int) -> None:
    if not 1 <= number <= video.part_count:
        raise PartRejected(
            _l("This file has parts 1 to %(count)d only.", count=video.part_count),
            number=number,
        )


def stored_parts(video: Video, storage: Storage) -> Iterator[StoredPart]:
    """The whole parts already stored, so a resumed upload sends only the others."""
    if video.state is not VideoState.UPLOADING or video.upload_id is None:
        return
    try:
        for part in storage.iter_parts(video.storage_key, video.upload_id):
            in_range = 1 <= part.number <= video.part_count
            if in_range and part.size == video.expected_part_size(part.number):
                yield part
    except UploadNotFound:
        return


def store_part(
    video: Video, number: int, body: BinaryIO, storage: Storage, now: datetime
) -> StoredPart:
    """Store one part the browser sent through the app (local disk); sent twice, it is replaced."""
    upload_id = _open_upload(video, now)
    _check_part_number(video, number)
    expected = video.expected_part_size(number)
    try:
        part = storage.write_part(video.storage_key, upload_id, number, body, expected)
    except PartTooLarge:
        raise PartRejected(
            _l("Part %(number)d must be %(size)d bytes.", number=number, size=expected),
            number=number,
        ) from None
    except UploadNotFound:
        raise UploadNotOpen() from None
    if part.size != expected:
        # A short part (the connection dropped mid-way) is not listed as stored, so it is resent.
        raise PartRejected(
            _l(
                "Part %(number)d arrived incomplete (%(got)d of %(size)d bytes); send it again.",
                number=number,
                got=part.size,
                size=expected,
            ),
            number=number,
        )
    video.last_activity_at = now
    return part


def part_upload_url(
    video: Video, number: int, storage: Storage, now: datetime, expires_in: int
) -> str:
    """A presigned URL the browser sends part `number` to, straight to the bucket."""
    upload_id = _open_upload(video, now)
    _check_part_number(video, number)
    video.last_activity_at = now
    return storage.presign_part(video.storage_key, upload_id, number, expires_in)


def complete_upload(video: Video, storage: Storage, now: datetime) -> Video:
    """Join the parts into the stored file; the video is then received and awaits processing.

    A video that takes a place of its own is counted again, under the unit's lock, against the
    videos already received: a limit lowered since the start, or uploads opened before the limit
    was enforced in the database, never leave the unit more received videos than it may hold.
    """
    upload_id = _open_upload(video, now)
    if video.replaces is None or not video.replaces.is_live:
        _lock_unit(video.unit_id)
        received = places_taken(video.contest, video.unit_id, RECEIVED_PLACES, besides=video)
        if received >= video.contest.max_videos_per_unit:
            raise VideoLimitReached(
                _l(
                    "Your unit has received %(count)d videos already, the most this contest "
                    "accepts. Withdraw one to finish this upload, or cancel it.",
                    count=video.contest.max_videos_per_unit,
                )
            )
    try:
        storage.complete_upload(video.storage_key, upload_id, video.part_count, video.size_bytes)
    except IncompleteUpload:
        raise UploadIncomplete() from None
    except UploadNotFound:
        raise UploadNotOpen() from None
    video.upload_id = None
    video.state = VideoState.RECEIVED
    video.received_at = video.last_activity_at = now
    db.session.flush()
    return video


def cancel_upload(video: Video, user: User, now: datetime) -> Cleanup:
    """Cancel an unfinished upload: the row goes, its parts are dropped after the commit."""
    if not video.is_managed_by(user):
        raise NotUnitAdmin()
    if video.state is not VideoState.UPLOADING:
        raise UploadNotOpen()
    cleanup = Cleanup(abort_uploads=[(video.storage_key, video.upload_id)])
    db.session.delete(video)
    db.session.flush()
    return cleanup


def withdraw_video(video: Video, user: User, now: datetime) -> Cleanup:
    """Withdraw a video inside the window; its files are deleted after the commit."""
    _check_manager(video.contest, user, now)
    if not video.is_managed_by(user):
        raise NotUnitAdmin()
    if video.state is VideoState.UPLOADING:
        return cancel_upload(video, user, now)
    if not video.is_live:
        raise UploadNotOpen(_l("This video is no longer in the contest."))
    return _withdraw(video, now)


def _withdraw(video: Video, now: datetime) -> Cleanup:
    cleanup = Cleanup(delete_keys=video.stored_keys())
    video.state = VideoState.WITHDRAWN
    video.withdrawn_at = now
    for replacement in db.session.scalars(
        select(Video).where(Video.replaces_id == video.id, Video.state.in_(COUNTED_STATES))
    ):
        replacement.replaces = None  # it now stands on its own
    db.session.flush()
    return cleanup


def remove_rejected_video(video: Video, user: User) -> None:
    """Remove a rejected video from the unit's list (its file was deleted when it was
    rejected); a replacement that named it stands on its own."""
    if not video.is_managed_by(user):
        raise NotUnitAdmin()
    if video.state is not VideoState.REJECTED:
        raise UploadNotOpen(_l("Only a rejected video can be removed; withdraw the others."))
    db.session.execute(update(Video).where(Video.replaces_id == video.id).values(replaces_id=None))
    db.session.delete(video)
    db.session.flush()


def upload_percent(video: Video, storage: Storage) -> int:
    """How much of an unfinished upload the storage holds, in whole percent."""
    stored = sum(part.size for part in stored_parts(video, storage))
    return min(100, stored * 100 // video.size_bytes) if video.size_bytes else 0


def finish_replacement(video: Video, now: datetime) -> Cleanup:
    """A ready replacement takes the place of the video it replaces."""
    replaced = video.replaces
    video.replaces = None
    if replaced is None or not replaced.is_live:
        return Cleanup()
    return _withdraw(replaced, now)


def abandoned_uploads(now: datetime, limit: int = 100) -> list[Video]:
    """Uploads nobody has touched for ABANDONED_AFTER."""
    query = (
        select(Video)
        .where(
            Video.state == VideoState.UPLOADING,
            Video.last_activity_at < now - ABANDONED_AFTER,
        )
        .limit(limit)
    )
    return list(db.session.scalars(query))


def drop_abandoned_uploads(now: datetime) -> Cleanup:
    """Forget abandoned uploads; their parts are dropped after the commit."""
    cleanup = Cleanup()
    for video in abandoned_uploads(now):
        cleanup.abort_uploads.append((video.storage_key, video.upload_id))
        db.session.delete(video)
    db.session.flush()
    return cleanup


def units_without_video(contest: Contest) -> list[Unit]:
    """Participating units that have not yet sent a video the contest has received (the plan
    asks one each)."""
    received = select(Video.unit_id).where(
        Video.contest_id == contest.id,
        Video.state.in_((VideoState.RECEIVED, VideoState.PROCESSING, VideoState.READY)),
    )
    taking_part = select(ParticipatingUnit.unit_id).where(
        ParticipatingUnit.contest_id == contest.id
    )
    query = (
        select(Unit)
        .where(Unit.id.not_in(received), Unit.id.in_(taking_part))
        .order_by(Unit.position, Unit.code)
    )
    return list(db.session.scalars(query))


# A ready video whose stored object has gone (a disk restored from an old backup, a bucket
# emptied by hand): its state stays, since its scores still count, and the organizers are told.
FILE_MISSING = "file_missing"


def note_stored_file(video: Video, key: str, present: bool, now: datetime) -> bool:
    """Flag a video whose object `key` is missing (logged once), or clear the flag once that
    object is back; True when the video changed and the caller should commit."""
    flagged = video.failure_code == FILE_MISSING
    if (present and not (flagged and video.failure_detail == key)) or (not present and flagged):
        return False
    if present:
        video.failure_code = video.failure_detail = None
        record("video_file_restored", None, video.contest_id, f"video:{video.id}", now, key=key)
    else:
        video.failure_code, video.failure_detail = FILE_MISSING, key
        record("video_file_missing", None, video.contest_id, f"video:{video.id}", now, key=key)
    db.session.flush()
    return True
