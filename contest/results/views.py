"""Public rankings, and the organizers' provisional standings, tie decisions and exports."""

import io

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest import clock
from contest.auth.decorators import role_required
from contest.domain.prizes import VIDEO
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.models import Role
from contest.paging import requested_page
from contest.results import bp, certificates, exports, standings, workflow
from contest.results.forms import InvalidOrder, tie_order
from contest.results.services import (
    individual_leaderboard,
    own_line,
    ranked_count,
    ranked_units,
    unit_leaderboard,
)

PAGE_SIZE = 100
LEADERBOARD_PAGE = 20  # a phone screen or two: the rest is a page or a unit away
XLSX_CSV = ("xlsx", "csv")


@bp.get("/leaderboard")
def leaderboard():
    contest = g.contest
    now = clock.utc_now()
    if not contest.leaderboard_is_visible_to(current_user, now):
        message = _("The leaderboard is shown once the quiz closes.")
        return render_template("errors/error.html", status=403, message=message), 403
    units = dict(ranked_units(contest))
    unit_id = request.args.get("unit", type=int)
    if unit_id not in units:
        unit_id = None  # all units, as for an absent or unknown one
    page = requested_page()
    offset = (page - 1) * LEADERBOARD_PAGE
    if unit_id is None:
        lines = individual_leaderboard(contest, limit=LEADERBOARD_PAGE, offset=offset)
    else:
        lines = unit_leaderboard(contest, unit_id, limit=LEADERBOARD_PAGE, offset=offset)
    mine = own_line(contest, current_user.id) if current_user.is_authenticated else None
    return render_template(
        "results/leaderboard.html",
        contest=contest,
        lines=lines,
        page=page,
        pages=max(1, -(-ranked_count(contest, unit_id) // LEADERBOARD_PAGE)),
        units=units,
        unit_id=unit_id,
        mine=mine and mine[0],
        my_page=mine and (mine[1] - 1) // LEADERBOARD_PAGE + 1,
        unit_ranking_shown=contest.unit_ranking_is_visible_to(current_user, now),
    )


@bp.get("/leaderboard/units")
def unit_leaderboard_page():
    contest = g.contest
    if not contest.unit_ranking_is_visible_to(current_user, clock.utc_now()):
        message = _("The unit ranking is shown when the results are published.")
        return render_template("errors/error.html", status=403, message=message), 403
    return render_template(
        "results/unit_leaderboard.html",
        contest=contest,
        lines=standings.running_unit_ranking(contest),
    )


@bp.get("/standings")
@role_required(Role.ORGANIZER)
def provisional_standings():
    contest = g.contest
    computed = standings.compute_standings(contest)
    now = clock.utc_now()
    return render_template(
        "results/standings.html",
        contest=contest,
        standings=computed,
        labels=standings.entry_labels(computed),
        form=ActionForm(),
        status=workflow.results_status(contest, now),
        snapshot=workflow.current_snapshot(contest),
        at_close=workflow.last_milestone(contest, workflow.RESULTS_AT_CLOSE),
        publication_is_due=contest.results_are_published(now),
    )


@bp.post("/ties/<tie_id>")
@role_required(Role.ORGANIZER)
def decide_tie(tie_id: str):
    contest = g.contest
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        order = tie_order(request.form)
    except InvalidOrder as invalid:
        flash(str(invalid), "error")
        return redirect(url_for("results.provisional_standings"))
    try:
        standings.decide_tie(
            contest, tie_id, order, request.form.get("reason", ""), current_user, clock.utc_now()
        )
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("results.provisional_standings"))
    db.session.commit()
    flash(_("The decision is recorded; the prize list follows it."), "success")
    return redirect(url_for("results.provisional_standings"))


@bp.get("/exports/<name>.<extension>")
@role_required(Role.ORGANIZER)
def export(name: str, extension: str):
    contest = g.contest
    if name not in (*exports.EXPORTS, "all") or extension not in XLSX_CSV:
        abort(404)
    if name == "all" and extension == "csv":
        abort(404)  # one table per CSV file
    variant = request.args.get("variant", exports.EXCEL_VI)
    if variant not in exports.CSV_VARIANTS:
        abort(404)
    now = clock.utc_now()
    chosen = exports.results_export(contest, exports.EXPORTS if name == "all" else (name,))
    stamp = now.astimezone(clock.local_zone()).strftime("%Y%m%d-%H%M")
    status = "tam-tinh-" if chosen.is_provisional else ""
    download_name = f"ket-qua-{status}{name}-{stamp}.{extension}"
    if extension == "csv":
        if variant == exports.PLAIN:
            download_name = download_name.replace(".csv", "-dau-phay.csv")
        return Response(
            stream_with_context(exports.csv_chunks(chosen.sheets[0], variant)),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={download_name}"},
        )
    buffer = io.BytesIO()
    exports.write_xlsx([exports.about_sheet(contest, chosen, now), *chosen.sheets], buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=download_name)


@bp.get("/certificates.pdf", defaults={"number": None})
@bp.get("/certificates/<int:number>.pdf")
@role_required(Role.ORGANIZER)
def certificates_pdf(number: int | None):
    contest = g.contest
    try:
        pages = certificates.approved_certificates(contest, number)
    except IndexError:
        abort(404)
    except Refused as refused:
        page = render_template("errors/error.html", status=refused.status, message=refused.message)
        return page, refused.status
    name = "giay-chung-nhan" if number is None else f"giay-chung-nhan-{number}"
    return send_file(
        io.BytesIO(certificates.render_certificates(pages)),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{name}.pdf",
    )


WORKFLOW_STEPS = {
    "approve": (
        lambda contest, form, now: workflow.approve_results(
            contest, current_user, form.get("remarks"), now
        ),
        _l("The results are approved and frozen."),
    ),
    "reopen": (
        lambda contest, form, now: workflow.reopen_results(
            contest, current_user, form.get("reason", ""), now
        ),
        _l("The results are provisional again."),
    ),
    "publish": (
        lambda contest, form, now: workflow.publish_now(contest, current_user, now),
        _l("The results are published."),
    ),
}


@bp.post("/workflow/<step>")
@role_required(Role.ORGANIZER)
def results_step(step: str):
    contest = g.contest
    if step not in WORKFLOW_STEPS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    action, done = WORKFLOW_STEPS[step]
    try:
        action(contest, request.form, clock.utc_now())
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return redirect(url_for("results.provisional_standings"))
    db.session.commit()
    flash(str(done), "success")
    return redirect(url_for("results.provisional_standings"))


@bp.get("/prizes")
def published_results():
    contest = g.contest
    snapshot = workflow.published_snapshot(contest, clock.utc_now())
    if snapshot is None:
        return render_template("results/not_published.html", contest=contest), 404
    return render_template("results/published.html", contest=contest, results=snapshot.content)


@bp.get("/individuals")
def published_individuals():
    contest = g.contest
    snapshot = workflow.published_snapshot(contest, clock.utc_now())
    if snapshot is None:
        return render_template("results/not_published.html", contest=contest), 404
    page = requested_page()
    offset = (page - 1) * PAGE_SIZE
    lines = workflow.snapshot_individual_page(snapshot, limit=PAGE_SIZE + 1, offset=offset)
    if page > 1 and not lines:
        abort(404)  # past the last page
    return render_template(
        "results/published_individuals.html",
        contest=contest,
        lines=lines[:PAGE_SIZE],
        page=page,
        has_next=len(lines) > PAGE_SIZE,
    )


@bp.get("/videos")
def published_videos():
    contest = g.contest
    snapshot = workflow.published_snapshot(contest, clock.utc_now())
    if snapshot is None:
        return render_template("results/not_published.html", contest=contest), 404
    results = snapshot.content
    prizes = {award["entry_id"]: award for award in results["prizes"] if award["category"] == VIDEO}
    return render_template(
        "results/published_videos.html", contest=contest, videos=results["videos"], prizes=prizes
    )
