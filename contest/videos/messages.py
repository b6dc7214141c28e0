"""What video states and rejection codes say to people."""

from flask_babel import lazy_gettext as _l

from contest.models import VideoState

STATE_LABELS = {
    # Shown after a reload too, when nothing is being sent any more.
    VideoState.UPLOADING: _l("Upload not finished"),
    VideoState.RECEIVED: _l("Received, waiting for processing"),
    VideoState.PROCESSING: _l("Processing"),
    VideoState.READY: _l("Ready"),
    VideoState.FAILED: _l("Processing failed"),
    VideoState.REJECTED: _l("Rejected"),
    VideoState.WITHDRAWN: _l("Withdrawn"),
}

FAILURE_MESSAGES = {
    "empty": _l("The file is empty."),
    "archive": _l("The file is a compressed archive (ZIP, RAR…), not a video."),
    "document": _l("The file is a document, not a video."),
    "image": _l("The file is a picture, not a video."),
    "text": _l("The file is text, not a video."),
    "audio_only": _l("The file has sound but no picture."),
    "unknown_format": _l("The file is not in a video format the platform knows."),
    "unreadable": _l("The video cannot be read: the file may be damaged or incomplete."),
    "too_long": _l("The video is longer than the contest allows."),
    "media_error": _l("The platform could not convert the video. The organizers can retry."),
    "internal_error": _l("The platform hit an error while processing. The organizers can retry."),
    "file_missing": _l(
        "The stored file is missing: restore it from a backup, or the unit uploads it again."
    ),
}


def failure_message(code: str | None) -> str:
    """The reason a video was rejected or failed, in the user's language."""
    return str(FAILURE_MESSAGES.get(code or "", _l("Unknown problem.")))
