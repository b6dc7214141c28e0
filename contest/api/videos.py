"""The upload API the video page's script speaks: resumable, in parts, straight to S3 when
the platform stores videos there, through the app (one part per request) on local disk."""

from flask import abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from contest import clock
from contest.api import bp
from contest.errors import Refused
from contest.extensions import db
from contest.models import Video, VideoState
from contest.numbers import json_id
from contest.setup import api_error
from contest.storage import current_storage
from contest.videos import processing
from contest.videos import services as videos
from contest.videos.forms import VideoDetailsForm


@bp.errorhandler(Refused)
def refused(error: Refused):
    return api_error(error.code, str(error.message), error.status, **error.details)


def upload_json(video: Video, parts=None) -> dict:
    return {
        "video_id": video.id,
        "title": video.title,
        "filename": video.original_filename,
        "size": video.size_bytes,
        "part_size": video.part_size,
        "part_count": video.part_count,
        "direct": current_storage().direct_upload,
        "state": video.state.value,
        "replaces_id": video.replaces_id,
        "parts": [{"number": part.number, "size": part.size} for part in parts or ()],
    }


def _own_upload(video_id: int) -> Video:
    video = db.session.get(Video, video_id)
    if video is None or not video.is_managed_by(current_user):
        abort(api_error("not_found", _("This upload does not exist."), 404))
    return video


TEXT_DETAILS = ("title", "description", "form", "filename", "content_type")


def _wrong_types(body: dict) -> dict[str, list[str]]:
    """The details whose JSON type is wrong (a number as the title...): never turned into text."""
    wrong = {
        name: [_("Send this as text.")]
        for name in TEXT_DETAILS
        if body.get(name) is not None and not isinstance(body[name], str)
    }
    size = body.get("size")
    whole = type(size) is int or (type(size) is float and size.is_integer())  # true is not 1
    if size is not None and not whole:
        wrong["size"] = [_("Enter a whole number.")]
    return wrong


@bp.post("/contests/<contest_slug>/videos/uploads")
@login_required
def start_video_upload():
    contest = g.contest
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return api_error("invalid_json", _("Send a JSON object."), 400)
    wrong_types = _wrong_types(body)
    if wrong_types:
        return api_error("invalid_video", _("Check the video's details."), 422, fields=wrong_types)
    if isinstance(body.get("size"), float):
        body["size"] = int(body["size"])  # 201.0 is a JSON integer too
    # JSON null means "not given", never the text "None".
    fields = MultiDict({name: str(value) for name, value in body.items() if value is not None})
    form = VideoDetailsForm(formdata=fields, meta={"csrf": False})
    if not form.validate():
        errors = {name: [str(text) for text in texts] for name, texts in form.errors.items()}
        return api_error("invalid_video", _("Check the video's details."), 422, fields=errors)
    replaces = None
    replaces_id = body.get("replaces_id")
    if replaces_id is not None:
        # JSON true is not video 1, and 2^63 is no video at all.
        replaces = _own_upload(json_id(replaces_id) or 0)
    video = videos.start_upload(
        contest,
        current_user,
        form.details(),
        current_app.config["VIDEO_PART_SIZE"],
        current_storage(),
        clock.utc_now(),
        replaces=replaces,
    )
    db.session.commit()
    return jsonify(upload_json(video)), 201


@bp.get("/contests/<contest_slug>/videos/uploads")
@login_required
def unfinished_video_uploads():
    contest = g.contest
    if current_user.unit_id is None:
        return jsonify(uploads=[])
    query = select(Video).where(
        Video.contest_id == contest.id,
        Video.unit_id == current_user.unit_id,
        Video.state == VideoState.UPLOADING,
    )
    mine = [video for video in db.session.scalars(query) if video.is_managed_by(current_user)]
    return jsonify(uploads=[upload_json(video) for video in mine])


@bp.get("/videos/uploads/<int:video_id>")
@login_required
def get_video_upload(video_id: int):
    video = _own_upload(video_id)
    return jsonify(upload_json(video, videos.stored_parts(video, current_storage())))


@bp.put("/videos/uploads/<int:video_id>/parts/<int:number>")
@login_required
def put_video_part(video_id: int, number: int):
    video = _own_upload(video_id)
    storage = current_storage()
    if storage.direct_upload:
        return api_error("direct_upload", _("Send this part to the storage address."), 409)
    part = videos.store_part(video, number, request.stream, storage, clock.utc_now())
    db.session.commit()
    return jsonify(number=part.number, size=part.size)


@bp.post("/videos/uploads/<int:video_id>/parts/<int:number>/url")
@login_required
def video_part_url(video_id: int, number: int):
    video = _own_upload(video_id)
    storage = current_storage()
    if not storage.direct_upload:
        return api_error("app_upload", _("Send this part to the platform itself."), 409)
    expires_in = current_app.config["S3_PRESIGN_SECONDS"]
    url = videos.part_upload_url(video, number, storage, clock.utc_now(), expires_in)
    db.session.commit()
    return jsonify(number=number, url=url, expires_in=expires_in)


@bp.post("/videos/uploads/<int:video_id>/complete")
@login_required
def complete_video_upload(video_id: int):
    video = _own_upload(video_id)
    videos.complete_upload(video, current_storage(), clock.utc_now())
    db.session.commit()
    processing.schedule(current_app._get_current_object(), video.id)
    db.session.refresh(video)
    return jsonify(upload_json(video))


@bp.delete("/videos/uploads/<int:video_id>")
@login_required
def cancel_video_upload(video_id: int):
    video = _own_upload(video_id)
    cleanup = videos.cancel_upload(video, current_user, clock.utc_now())
    db.session.commit()
    cleanup.run(current_storage())
    return "", 204
