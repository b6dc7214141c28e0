"""After an upload: check the content, measure it, make a thumbnail, transcode when browsers
cannot play it. One video at a time per process; a claim in the database makes sure two
processes (web workers, the scheduler) never work on the same video.
"""

import logging
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import or_, select, update

from contest import clock, media
from contest.extensions import db
from contest.models import Video, VideoState
from contest.storage import Storage, current_storage
from contest.videos.services import Cleanup, finish_replacement

log = logging.getLogger(__name__)
SNIFF_BYTES = 4096
# A claim older than this belongs to a process that died: the video is taken up again.
STALE_CLAIM = timedelta(hours=3)
MAX_AUTOMATIC_ATTEMPTS = 3

_executor: ThreadPoolExecutor | None = None


def claim(video_id: int, now: datetime) -> bool:
    """Mark a received video as processing, atomically; False when someone else has it."""
    result = db.session.execute(
        update(Video)
        .where(
            Video.id == video_id,
            or_(
                Video.state == VideoState.RECEIVED,
                (Video.state == VideoState.PROCESSING)
                & (Video.processing_started_at < now - STALE_CLAIM),
            ),
        )
        .values(
            state=VideoState.PROCESSING,
            processing_started_at=now,
            processing_attempts=Video.processing_attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def waiting_video_ids(now: datetime, limit: int = 20) -> list[int]:
    """Videos received and not yet processed, and stale claims, oldest first."""
    query = (
        select(Video.id)
        .where(
            or_(
                Video.state == VideoState.RECEIVED,
                (Video.state == VideoState.PROCESSING)
                & (Video.processing_started_at < now - STALE_CLAIM),
            ),
            Video.processing_attempts < MAX_AUTOMATIC_ATTEMPTS,
        )
        .order_by(Video.received_at, Video.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def process_video(video_id: int, storage: Storage, now: Callable[[], datetime]) -> VideoState:
    """Claim and process one video; commits its outcome and returns its state."""
    if not claim(video_id, now()):
        video = db.session.get(Video, video_id)
        return video.state if video else VideoState.WITHDRAWN
    video = db.session.get(Video, video_id)
    db.session.refresh(video)
    cleanup = Cleanup()
    try:
        # Nothing is written before the state check below: a withdrawal meanwhile must win.
        with (
            tempfile.TemporaryDirectory(prefix="contest-video-") as folder,
            db.session.no_autoflush,
        ):
            _process(video, storage, Path(folder), now())
    except media.NotAVideo as rejection:
        db.session.rollback()
        video = db.session.get(Video, video_id)
        cleanup = Cleanup(delete_keys=video.stored_keys())
        _finish(video, VideoState.REJECTED, now(), rejection.code, rejection.detail)
        video.thumbnail_key = video.playback_key = None
    except Exception as error:
        log.exception("processing video %s failed", video_id)
        db.session.rollback()
        video = db.session.get(Video, video_id)
        code = "media_error" if isinstance(error, media.MediaError) else "internal_error"
        _finish(video, VideoState.FAILED, now(), code, str(error)[-2000:])
    if _state_in_database(video_id) is not VideoState.PROCESSING:
        # Withdrawn while we worked: its state stands, and what we made is dropped.
        orphans = Cleanup(delete_keys=video.stored_keys())
        db.session.rollback()
        orphans.run(storage)
        return _state_in_database(video_id) or VideoState.WITHDRAWN
    if video.state is VideoState.READY:
        cleanup = finish_replacement(video, now())
    db.session.commit()
    cleanup.run(storage)
    return video.state


def _state_in_database(video_id: int) -> VideoState | None:
    """The video's committed state, its row locked until our commit (PostgreSQL)."""
    with db.session.no_autoflush:
        query = select(Video.state).where(Video.id == video_id).with_for_update()
        return db.session.execute(query).scalar_one_or_none()


def _finish(video: Video, state: VideoState, now: datetime, code=None, detail=None) -> None:
    video.state = state
    video.failure_code = code
    video.failure_detail = detail or None
    video.last_activity_at = now
    if state is VideoState.READY:
        video.ready_at = now


def _process(video: Video, storage: Storage, folder: Path, now: datetime) -> None:
    head = storage.read_head(video.storage_key, SNIFF_BYTES)
    media.sniff_container(head)  # refuses a ZIP or a text file before anything is downloaded
    source = storage.local_path(video.storage_key)
    if source is None:
        source = folder / "original"
        storage.download_to(video.storage_key, source)
    info = media.probe(source, head)
    video.container = info.container
    video.duration_seconds = info.duration_seconds
    video.width, video.height = info.width, info.height
    video.video_codec, video.audio_codec = info.video_codec, info.audio_codec
    limit = video.contest.video_max_duration_seconds
    if limit and info.duration_seconds and info.duration_seconds > limit:
        raise media.NotAVideo("too_long", f"{info.duration_seconds:.0f}/{limit}")
    base = video.storage_key.rsplit("/", 1)[0]
    thumbnail = folder / "thumbnail.jpg"
    media.make_thumbnail(source, thumbnail, info)
    storage.put_file(f"{base}/thumbnail.jpg", thumbnail, "image/jpeg")
    video.thumbnail_key = f"{base}/thumbnail.jpg"
    # A file with the place it was shot gets a copy without it (streams copied, not re-encoded).
    if media.browser_playable(info) and not info.has_location:
        video.playback_key, video.transcoded = video.storage_key, False
    else:
        playable = folder / "playback.mp4"
        media.transcode_to_mp4(source, playable, info)
        storage.put_file(f"{base}/playback.mp4", playable, "video/mp4")
        video.playback_key, video.transcoded = f"{base}/playback.mp4", True
    _finish(video, VideoState.READY, now)


def retry(video: Video, now: datetime) -> None:
    """An organizer sends a failed video through processing again."""
    video.state = VideoState.RECEIVED
    video.failure_code = video.failure_detail = None
    video.processing_attempts = 0
    video.last_activity_at = now


def process_waiting(app: Flask) -> int:
    """One sweep (the scheduler's job): process every waiting video; return how many."""
    with app.app_context():
        storage = current_storage()
        done = 0
        for video_id in waiting_video_ids(clock.utc_now()):
            process_video(video_id, storage, clock.utc_now)
            done += 1
        return done


def schedule(app: Flask, video_id: int) -> None:
    """Process a just-received video: now (tests), in a background thread, or by the scheduler.

    VIDEO_PROCESSING=thread (default) uses one worker thread per process; `scheduler` leaves it
    to the scheduler's sweep (for web hosts that must not run ffmpeg); `inline` is for tests.
    """
    mode = app.config.get("VIDEO_PROCESSING", "thread")
    if mode == "scheduler":
        return
    if mode == "inline":
        process_video(video_id, current_storage(), clock.utc_now)
        return

    def work() -> None:
        with app.app_context():
            try:
                process_video(video_id, current_storage(), clock.utc_now)
            finally:
                db.session.remove()

    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="video-processing")
    _executor.submit(work)
