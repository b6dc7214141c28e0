"""The unit's video page, a video's own page, playback, and the organizers' list."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.utils import send_file as werkzeug_send_file

from contest import clock
from contest.auth.decorators import role_required
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.models import Contest, Role, Video, VideoForm, VideoState
from contest.storage import current_storage
from contest.videos import bp, processing, services
from contest.videos.forms import FORM_LABELS, VideoDetailsForm, VideoInfoForm
from contest.videos.messages import STATE_LABELS, failure_message

# The states of a unit's videos that left the contest: listed apart, as its history.
HISTORY_STATES = (VideoState.WITHDRAWN, VideoState.REJECTED)


@bp.context_processor
def video_helpers() -> dict:
    return {
        "state_label": STATE_LABELS.get,
        "form_label": FORM_LABELS.get,
        "failure_message": failure_message,
        "VideoState": VideoState,
    }


def _video(video_id: int) -> Video:
    video = db.session.get(Video, video_id)
    if video is None or video.contest_id != g.contest.id:
        abort(404)
    return video


def _watchable(video_id: int) -> Video:
    video = _video(video_id)
    if not video.can_be_watched_by(current_user, clock.utc_now()):
        if not current_user.is_authenticated:
            abort(current_app.login_manager.unauthorized())
        abort(403)
    return video


def _upload_settings(contest: Contest) -> dict:
    return {
        "api": url_for("api.get_session").removesuffix("/session"),  # the API's root
        "contest": contest.slug,
        "max_bytes": contest.video_max_bytes,
        "closes_at": contest.video_closes_at.isoformat() if contest.video_closes_at else "",
    }


@bp.get("/")
@role_required(Role.UNIT_ADMIN)
def unit_videos():
    contest = g.contest
    now = clock.utc_now()
    videos = services.unit_videos(contest, current_user.unit_id) if current_user.unit_id else []
    storage = current_storage()
    return render_template(
        "videos/unit.html",
        contest=contest,
        now=now,
        window_open=contest.video_window_is_open(now),
        # Withdrawn and rejected videos fold into a history below the current ones.
        videos=[video for video in videos if video.state not in HISTORY_STATES],
        history=[video for video in videos if video.state in HISTORY_STATES],
        percents={
            video.id: services.upload_percent(video, storage)
            for video in videos
            if video.state is VideoState.UPLOADING
        },
        places_taken=services.places_taken(contest, current_user.unit_id or 0),
        videos_sent=services.places_taken(
            contest, current_user.unit_id or 0, services.RECEIVED_PLACES
        ),
        # An interrupted upload holds a place: the uploader stays, so it can be resumed.
        unfinished=any(v.state is VideoState.UPLOADING and v.replaces_id is None for v in videos),
        form=VideoDetailsForm().offer_forms_of(contest),
        upload=_upload_settings(contest),
        action_form=ActionForm(),
    )


@bp.get("/<int:video_id>")
@login_required
def video_page(video_id: int):
    video = _watchable(video_id)
    now = clock.utc_now()
    contest = video.contest
    manages = video.is_managed_by(current_user) and contest.video_window_is_open(now)
    return render_template(
        "videos/video.html",
        video=video,
        manages=manages,
        show_unit=video.unit_shown_to(current_user),
        form=VideoDetailsForm(formdata=None).offer_forms_of(contest) if manages else None,
        info_form=VideoInfoForm(
            data={"title": video.title, "description": video.description, "form": video.form.value}
        ).offer_forms_of(contest, keep=video.form)
        if manages
        else None,
        upload=_upload_settings(contest),
        action_form=ActionForm(),
    )


def _serve_object(
    video: Video, key: str, mimetype: str, max_age: int, download_name: str | None = None
) -> Response:
    """A stored object: from local disk with HTTP ranges (players seek, downloads resume), or a
    redirect to a short-lived presigned S3 URL (S3 answers a missing object's 404 itself).

    A file missing from disk is a 404, and the video is flagged for the organizers."""
    storage = current_storage()
    path = storage.local_path(key)
    if path is None:
        seconds = current_app.config["S3_PRESIGN_SECONDS"]
        url = storage.presign_get(key, seconds, download_name=download_name, content_type=mimetype)
        return redirect(url, code=302)
    present = path.is_file()
    if services.note_stored_file(video, key, present, clock.utc_now()):
        db.session.commit()
    if not present:
        abort(404)
    environ = request.environ
    if "Range" in request.headers:
        # gunicorn's wsgi.file_wrapper cannot seek, so werkzeug would read everything before
        # the range (a seek near the end of 1 GB: 0.2 s of CPU); without it werkzeug seeks.
        environ = {k: v for k, v in environ.items() if k != "wsgi.file_wrapper"}
    return werkzeug_send_file(
        path,
        environ,
        mimetype=mimetype,
        as_attachment=download_name is not None,
        download_name=download_name,
        conditional=True,
        max_age=max_age,
        response_class=current_app.response_class,
    )


@bp.get("/<int:video_id>/media")
def media(video_id: int):
    video = _watchable(video_id)
    if video.state is not VideoState.READY or not video.playback_key:
        abort(404)
    return _serve_object(video, video.playback_key, video.playback_mimetype, max_age=0)


@bp.get("/<int:video_id>/original")
@role_required(Role.ORGANIZER)
def original(video_id: int):
    """The file exactly as the unit sent it, under its own name (for the archive, the ceremony)."""
    video = _video(video_id)
    if video.state not in (VideoState.READY, VideoState.FAILED):
        abort(404)
    mimetype = video.content_type or "application/octet-stream"
    return _serve_object(
        video, video.storage_key, mimetype, 0, download_name=video.original_filename
    )


@bp.get("/<int:video_id>/thumbnail")
def thumbnail(video_id: int):
    video = _watchable(video_id)
    if not video.thumbnail_key:
        abort(404)
    return _serve_object(video, video.thumbnail_key, "image/jpeg", max_age=300)


@bp.post("/<int:video_id>/details")
@role_required(Role.UNIT_ADMIN)
def edit_details(video_id: int):
    video = _video(video_id)
    if not video.is_managed_by(current_user):
        abort(403)
    form = VideoInfoForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return redirect(url_for("videos.video_page", video_id=video.id))
    try:
        services.edit_video(
            video,
            current_user,
            form.title.data,
            form.description.data,
            VideoForm(form.form.data),
            clock.utc_now(),
        )
    except Refused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("videos.video_page", video_id=video.id))
    db.session.commit()
    flash(_("The video's details were saved."), "success")
    return redirect(url_for("videos.video_page", video_id=video.id))


@bp.post("/<int:video_id>/withdraw")
@role_required(Role.UNIT_ADMIN)
def withdraw(video_id: int):
    video = _video(video_id)
    if not video.is_managed_by(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        cleanup = services.withdraw_video(video, current_user, clock.utc_now())
    except Refused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("videos.unit_videos"))
    db.session.commit()
    cleanup.run(current_storage())
    flash(_("The video was withdrawn."), "success")
    return redirect(url_for("videos.unit_videos"))


@bp.post("/<int:video_id>/remove")
@role_required(Role.UNIT_ADMIN)
def remove(video_id: int):
    video = _video(video_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.remove_rejected_video(video, current_user)
    except Refused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("videos.unit_videos"))
    db.session.commit()
    flash(_("The rejected video was removed from the list."), "success")
    return redirect(url_for("videos.unit_videos"))


@bp.post("/<int:video_id>/retry")
@role_required(Role.ORGANIZER)
def retry(video_id: int):
    video = _video(video_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if video.state is not VideoState.FAILED:
        flash(_("Only a video whose processing failed can be retried."), "error")
        return redirect(url_for("videos.video_page", video_id=video.id))
    processing.retry(video, clock.utc_now())
    db.session.commit()
    processing.schedule(current_app._get_current_object(), video.id)
    flash(_("The video is being processed again."), "success")
    return redirect(url_for("videos.video_page", video_id=video.id))


@bp.get("/all")
@role_required(Role.ORGANIZER)
def all_videos():
    contest = g.contest
    state = request.args.get("state") or None
    query = (
        select(Video)
        .where(Video.contest_id == contest.id)
        .options(selectinload(Video.unit))
        .order_by(Video.created_at.desc(), Video.id.desc())
    )
    if state in {s.value for s in VideoState}:
        query = query.where(Video.state == VideoState(state))
    return render_template(
        "videos/all.html",
        contest=contest,
        videos=list(db.session.scalars(query)),
        state=state,
        units_without_video=services.units_without_video(contest),
    )


@bp.get("/gallery")
def gallery():
    contest = g.contest
    if not (contest.video_gallery_public and contest.results_are_published(clock.utc_now())):
        abort(404)
    query = (
        select(Video)
        .where(Video.contest_id == contest.id, Video.state == VideoState.READY)
        .options(selectinload(Video.unit))
        .order_by(Video.unit_id, Video.id)
    )
    return render_template("videos/gallery.html", contest=contest, videos=db.session.scalars(query))
