"""The judges' panel and score sheet; the organizers' scores overview, rubric and settings."""

from decimal import Decimal

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest import clock
from contest.actions import saved_or_refused
from contest.auth.decorators import role_required
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.judging import bp, services
from contest.judging.forms import AGGREGATION_LABELS, ReopenForm, RubricForm, VideoSettingsForm
from contest.models import Role, Score, ScoreState, User, Video
from contest.models.judging import MAX_COMMENT_LENGTH
from contest.numbers import id_number
from contest.videos.forms import FORM_LABELS

STATUS_LABELS = {
    "all": _l("All"),
    "to_score": _l("To score"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "conflict": _l("Not scored (conflict of interest)"),
}


@bp.context_processor
def judging_helpers() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "form_label": FORM_LABELS.get,
        "aggregation_label": AGGREGATION_LABELS.get,
        "ScoreState": ScoreState,
    }


@bp.get("/")
@role_required(Role.JUDGE)
def panel():
    contest = g.contest
    status = request.args.get("status", "all")
    if status not in services.PANEL_FILTERS:
        status = "all"
    return render_template(
        "judging/panel.html",
        contest=contest,
        panel=services.judge_panel(contest, current_user, status),
        status=status,
        blind=contest.judging_blind,
    )


@bp.route("/videos/<int:video_id>", methods=["GET", "POST"])
@role_required(Role.JUDGE)
def score_video(video_id: int):
    video = db.session.get(Video, video_id)
    if video is None or video.contest_id != g.contest.id:
        abort(404)
    if not video.can_be_scored_by(current_user):
        abort(403)
    form = ActionForm()
    sheet = services.score_sheet(video, current_user)
    refused = None
    if form.validate_on_submit():
        raw = {c.id: request.form.get(f"points-{c.id}") for c in video.contest.rubric}
        try:
            if request.form.get("action") == "conflict":
                reason = request.form.get(services.CONFLICT_REASON)
                services.declare_conflict(video, current_user, reason, clock.utc_now())
                message = _("Conflict of interest recorded: you abstain on this video.")
            else:
                submit = request.form.get("action") == "submit"
                comment = request.form.get("comment")
                services.save_score(video, current_user, raw, comment, submit, clock.utc_now())
                message = _("Score submitted.") if submit else _("Draft saved.")
        except Refused as error:
            db.session.rollback()
            refused = error
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("judging.score_video", video_id=video.id))
    return render_template(
        "judging/score.html",
        video=video,
        sheet=sheet,
        typed=request.form if refused else None,
        error=str(refused.message) if refused else None,
        field_errors=refused.details.get("fields", {}) if refused else {},
        conflict_reason=services.CONFLICT_REASON,
        form=form,
        blind=video.contest.judging_blind,
        max_comment_length=MAX_COMMENT_LENGTH,
    ), 422 if refused else 200


@bp.get("/overview")
@role_required(Role.ORGANIZER)
def overview():
    contest = g.contest
    return render_template(
        "judging/overview.html",
        contest=contest,
        results=services.judging_overview(contest),
        reopen_form=ReopenForm(),
    )


@bp.post("/scores/<int:score_id>/reopen")
@role_required(Role.ORGANIZER)
def reopen(score_id: int):
    sheet = db.session.get(Score, score_id)
    if sheet is None or sheet.video.contest_id != g.contest.id:
        abort(404)
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for reopening the score."), "error")
        return redirect(url_for("judging.overview"))
    try:
        services.reopen_score(sheet, current_user, form.reason.data, clock.utc_now())
    except Refused as refused:
        flash(str(refused.message), "error")
        return redirect(url_for("judging.overview"))
    db.session.commit()
    flash(_("The score was reopened; the judge can change and submit it again."), "success")
    return redirect(url_for("judging.overview"))


@bp.route("/rubric", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def rubric():
    contest = g.contest
    form = RubricForm()
    if request.method == "GET":
        for criterion in contest.rubric:
            form.criteria.append_entry(
                {
                    "criterion_id": criterion.id,
                    "criterion_name": criterion.name,
                    "max_points": criterion.max_points,
                    "guidance": criterion.guidance,
                }
            )
        form.criteria.append_entry()  # an empty row adds a criterion
    elif form.validate_on_submit():
        drafts = services.rubric_drafts(form.criteria.data)
        done = saved_or_refused(
            lambda: services.update_rubric(contest, drafts), _("Rubric saved."), "judging.rubric"
        )
        if done:
            return done
    return render_template(
        "judging/rubric.html",
        contest=contest,
        form=form,
        locked=services.scores_exist(contest),
        total=sum((c.max_points for c in contest.rubric), Decimal(0)),
    )


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def settings():
    contest = g.contest
    form = VideoSettingsForm(obj=services.VideoSettings.of(contest))
    if form.validate_on_submit():
        settings = services.VideoSettings.from_form(form.data)
        done = saved_or_refused(
            lambda: services.configure_videos(contest, settings, current_user, clock.utc_now()),
            _("Settings saved."),
            "judging.settings",
        )
        if done:
            return done
    return render_template("judging/settings.html", contest=contest, form=form)


@bp.route("/assignments", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def assignments():
    contest = g.contest
    form = ActionForm()
    if form.validate_on_submit():
        judge = db.session.get(User, id_number(request.form.get("judge_id")) or 0)
        if judge is None or not judge.has_role(Role.JUDGE):
            abort(404)
        chosen = {id_number(v) for v in request.form.getlist("video_id")} - {None}
        services.set_assignments(contest, judge, chosen)
        db.session.commit()
        flash(_("Assignments saved for %(name)s.", name=judge.full_name), "success")
        return redirect(url_for("judging.assignments"))
    return render_template(
        "judging/assignments.html",
        contest=contest,
        judges=services.all_judges(),
        videos=services.ready_videos(contest),
        assigned=services.assignment_map(contest),
        form=form,
    )
