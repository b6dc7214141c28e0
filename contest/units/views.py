"""The organizers' unit pages (site-wide, /organizer/units/...)."""

import io

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest import clock
from contest.auth.decorators import role_required
from contest.domain.units_file import write_template
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.models import AuditEntry, Role, Unit, UnitGroup
from contest.organizer import audit_view
from contest.pending_imports import PendingImport
from contest.questions.messages import describe_location
from contest.units import bp, importing, services
from contest.units.forms import (
    GroupForm,
    ImportForm,
    MergeForm,
    UnitForm,
)
from contest.units.messages import describe

UNIT_IMPORT = PendingImport("pending_units_import", "imports", "units")


def _unit(unit_id: int) -> Unit:
    return db.get_or_404(Unit, unit_id)


def _refused(refused: Refused) -> None:
    db.session.rollback()
    flash(str(refused.message), "error")


@bp.get("/")
@role_required(Role.ORGANIZER)
def index():
    return render_template("units/index.html", listing=services.units_by_group())


def _unit_form(unit: Unit | None = None) -> UnitForm:
    form = UnitForm(obj=unit)
    form.group_id.choices = [(g.id, f"{g.code} · {g.name}") for g in services.all_groups()]
    return form


def _draft(form: UnitForm) -> services.UnitDraft:
    return services.UnitDraft(
        form.code.data, form.name.data, form.group_id.data, form.headcount.data
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_unit():
    form = _unit_form()
    if request.method == "GET" and request.args.get("group", "").isdigit():
        form.group_id.data = int(request.args["group"])
    if form.validate_on_submit():
        try:
            unit = services.create_unit(_draft(form), current_user, clock.utc_now())
        except Refused as refused:
            _refused(refused)
        else:
            db.session.commit()
            flash(_("The unit %(code)s is added.", code=unit.code), "success")
            return redirect(url_for("units.index"))
    return render_template("units/unit_form.html", form=form, unit=None)


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_unit(unit_id: int):
    unit = _unit(unit_id)
    form = _unit_form(unit)
    if form.validate_on_submit():
        try:
            services.change_unit(unit, _draft(form), current_user, clock.utc_now())
        except Refused as refused:
            _refused(refused)
        else:
            db.session.commit()
            flash(_("The unit is saved."), "success")
            return redirect(url_for("units.edit_unit", unit_id=unit.id))
    return _unit_page(unit, form, _merge_form(unit))


def _merge_form(unit: Unit) -> MergeForm:
    form = MergeForm()
    targets = db.session.scalars(
        select(Unit).where(Unit.active.is_(True), Unit.id != unit.id).order_by(Unit.code)
    )
    form.target_id.choices = [(0, "—")] + [(u.id, f"{u.code} · {u.name}") for u in targets]
    return form


def _unit_page(unit: Unit, form: UnitForm, merge_form: MergeForm):
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target == f"unit:{unit.id}")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(50)
    )
    return render_template(
        "units/unit_form.html",
        form=form,
        unit=unit,
        merge_form=merge_form,
        action_form=ActionForm(),
        history=list(history),
        action_label=audit_view.action_label,
        described_details=audit_view.described_details,
    )


@bp.post("/<int:unit_id>/active")
@role_required(Role.ORGANIZER)
def set_active(unit_id: int):
    unit = _unit(unit_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        services.set_unit_active(unit, active, current_user, clock.utc_now())
    except Refused as refused:
        _refused(refused)
    else:
        db.session.commit()
        flash(
            _("The unit is active again.") if active else _("The unit is deactivated."), "success"
        )
    return redirect(url_for("units.edit_unit", unit_id=unit.id))


@bp.post("/<int:unit_id>/merge")
@role_required(Role.ORGANIZER)
def merge(unit_id: int):
    unit = _unit(unit_id)
    form = _merge_form(unit)
    if not form.validate_on_submit():
        return _unit_page(unit, _unit_form(unit), form), 422
    target = db.session.get(Unit, form.target_id.data)
    if target is None:
        form.target_id.errors = [_("Choose the unit to merge into.")]
        return _unit_page(unit, _unit_form(unit), form), 422
    try:
        report = services.merge_units(
            unit, target, form.headcount.data, current_user, clock.utc_now()
        )
    except Refused as refused:
        _refused(refused)
        return redirect(url_for("units.edit_unit", unit_id=unit.id))
    db.session.commit()
    flash(
        _(
            "%(source)s is merged into %(target)s: %(people)s people, %(videos)s videos moved.",
            source=unit.code,
            target=target.code,
            people=report.people,
            videos=report.videos,
        ),
        "success",
    )
    return redirect(url_for("units.edit_unit", unit_id=target.id))


@bp.route("/groups/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_group():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            services.create_group(form.code.data, form.name.data, current_user, clock.utc_now())
        except Refused as refused:
            _refused(refused)
        else:
            db.session.commit()
            flash(_("The group is added."), "success")
            return redirect(url_for("units.index"))
    return render_template("units/group_form.html", form=form, group=None)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit_group(group_id: int):
    group = db.get_or_404(UnitGroup, group_id)
    form = GroupForm(obj=group)
    if form.validate_on_submit():
        try:
            services.change_group(
                group, form.code.data, form.name.data, current_user, clock.utc_now()
            )
        except Refused as refused:
            _refused(refused)
        else:
            db.session.commit()
            flash(_("The group is saved."), "success")
            return redirect(url_for("units.index"))
    return render_template("units/group_form.html", form=form, group=group)


# Import: upload, preview, then all or nothing (as the question bank's import).


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not importing.readable_name(upload.filename):
            form.file.errors = [_("Use the XLSX template or a CSV file.")]
        else:
            token = UNIT_IMPORT.start(upload)
            return redirect(url_for("units.import_preview", token=token))
    return render_template("units/import.html", form=form)


@bp.get("/import/<token>")
@role_required(Role.ORGANIZER)
def import_preview(token: str):
    pending, path = UNIT_IMPORT.get(token)
    with path.open("rb") as stream:
        plan = importing.plan_import(stream, pending["name"])
    return render_template(
        "units/import_preview.html",
        plan=plan,
        pending=pending,
        form=ActionForm(),
        describe=describe,
        location=describe_location,
    )


@bp.post("/import/<token>")
@role_required(Role.ORGANIZER)
def import_confirm(token: str):
    pending, path = UNIT_IMPORT.get(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        with path.open("rb") as stream:
            plan = importing.import_units(stream, pending["name"], current_user, clock.utc_now())
    except Refused as refused:
        _refused(refused)
        return redirect(url_for("units.import_preview", token=token))
    db.session.commit()
    UNIT_IMPORT.drop()
    flash(
        _(
            "Imported: %(new)s new units, %(updated)s updated.",
            new=len(plan.new_units),
            updated=len(plan.updated_units),
        ),
        "success",
    )
    return redirect(url_for("units.index"))


@bp.get("/template.xlsx")
@role_required(Role.ORGANIZER)
def template():
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="mau-don-vi.xlsx")
