"""People pages: organizers manage every account; a unit admin sees their unit's participants
and resets their passwords. Accounts serve every contest, so these pages are site-wide."""

import io

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from contest import clock
from contest.auth.decorators import role_required
from contest.auth.services import (
    ACCOUNT_PROBLEMS,
    describe_problem,
    import_accounts,
    import_problems,
)
from contest.domain.accounts_file import read_accounts_upload
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.models import Role, Unit, User
from contest.organizer.audit_view import action_label, described_details
from contest.paging import requested_page
from contest.pending_imports import PendingImport
from contest.people import bp, services
from contest.people.forms import (
    ROLE_LABELS,
    CreateAccountForm,
    EditAccountForm,
    ImportAccountsForm,
)
from contest.public.services import open_contests

ACCOUNT_IMPORT = PendingImport("pending_account_import", "account-imports")
CREDENTIALS = "account_credentials"
PREVIEW_ROWS = 200
FIELD_OF_COLUMN = {"unit_code": "unit_id"}


def _person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _unit_or_none(unit_id: int | None) -> Unit | None:
    return db.session.get(Unit, unit_id) if unit_id else None


def _unit_choices() -> list[SelectChoice]:
    units = [SelectChoice(u.id, f"{u.code} · {u.name}") for u in services.active_units()]
    return [SelectChoice("", _("— No unit —")), *units]


def _show_problems(form, problems) -> None:
    """Each problem under its field; one without a field as a message."""
    for problem in problems:
        field = getattr(form, FIELD_OF_COLUMN.get(problem.column, problem.column or ""), None)
        text = str(ACCOUNT_PROBLEMS[problem.code])
        if field is None:
            flash(text, "error")
        else:
            field.errors = [*field.errors, f"{text} ({problem.value})" if problem.value else text]


def _one_time_page(person: User, password: str):
    """The page that shows a one-time password: once, and never cached."""
    response = make_response(
        render_template("people/password.html", person=person, password=password)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@role_required(Role.ORGANIZER)
def index():
    query = request.args.get("q", "").strip()[:100]
    unit_id = request.args.get("unit", type=int)
    role = Role._value2member_map_.get(request.args.get("role", ""))
    state = request.args.get("state", "")
    active = {"active": True, "inactive": False}.get(state)
    found = services.search_accounts(
        query, page=requested_page(), unit_id=unit_id, role=role, active=active
    )
    return render_template(
        "people/index.html",
        found=found,
        query=query,
        unit_id=unit_id,
        role=role,
        state=state,
        units=services.active_units(),
        role_labels=ROLE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def create():
    form = CreateAccountForm()
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.roles.data = [Role.PARTICIPANT.value]
    if form.validate_on_submit():
        try:
            person, password = services.create_account(
                form.data,
                form.chosen_roles(),
                _unit_or_none(form.unit_id.data),
                current_user,
                clock.utc_now(),
            )
        except services.AccountProblems as problems:
            db.session.rollback()
            _show_problems(form, problems.problems)
        else:
            db.session.commit()
            flash(_("The account of %(name)s is ready.", name=person.full_name), "success")
            if password:
                return _one_time_page(person, password)
            return redirect(url_for("people.edit", user_id=person.id))
    return render_template("people/new.html", form=form)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def edit(user_id: int):
    person = _person(user_id)
    form = EditAccountForm(obj=person)
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.roles.data = [role.value for role in person.roles]
    if form.validate_on_submit():
        try:
            changes = services.update_account(
                person,
                form.data,
                form.chosen_roles(),
                _unit_or_none(form.unit_id.data),
                current_user,
                clock.utc_now(),
            )
        except services.AccountProblems as problems:
            db.session.rollback()
            _show_problems(form, problems.problems)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("people.edit", user_id=person.id))
    return render_template(
        "people/edit.html",
        person=person,
        form=form,
        action_form=ActionForm(),
        history=services.account_history(person),
        action_label=action_label,
        described_details=described_details,
    )


def _account_action(user_id: int, action, done: str):
    person = _person(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(person, current_user, clock.utc_now())
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("people.edit", user_id=person.id))


@bp.post("/<int:user_id>/deactivate")
@role_required(Role.ORGANIZER)
def deactivate(user_id: int):
    done = _("The account is deactivated: it can no longer log in.")
    return _account_action(user_id, services.deactivate_account, done)


@bp.post("/<int:user_id>/reactivate")
@role_required(Role.ORGANIZER)
def reactivate(user_id: int):
    return _account_action(user_id, services.reactivate_account, _("The account is active again."))


@bp.post("/<int:user_id>/reset-password")
@role_required(Role.ORGANIZER, Role.UNIT_ADMIN)
def reset_password(user_id: int):
    """A one-time password, shown once: organizers for anyone, unit admins for their members."""
    person = _person(user_id)
    if not current_user.can_manage_password_of(person):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    password = services.reset_password(person, current_user, clock.utc_now())
    db.session.commit()
    return _one_time_page(person, password)


@bp.get("/unit/<int:unit_id>")
@role_required(Role.ORGANIZER, Role.UNIT_ADMIN)
def unit_members(unit_id: int):
    """A unit's participants and what they have done: organizers any unit, an admin theirs."""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if not current_user.has_role(Role.ORGANIZER) and current_user.unit_id != unit.id:
        abort(403)
    query = request.args.get("q", "").strip()[:100]
    page = requested_page()
    lines, has_next = services.unit_members(unit, query, page)
    return render_template(
        "people/unit.html",
        unit=unit,
        lines=lines,
        query=query,
        page=page,
        has_next=has_next,
        action_form=ActionForm(),
        open_contests=open_contests(clock.utc_now()),
    )


# Importing


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def import_upload():
    form = ImportAccountsForm()
    if form.validate_on_submit():
        upload = form.file.data
        if not (upload.filename or "").lower().endswith((".csv", ".xlsx")):
            form.file.errors = [_("Use an XLSX or CSV file.")]
        else:
            token = ACCOUNT_IMPORT.start(upload)
            return redirect(url_for("people.import_preview", token=token))
    return render_template("people/import.html", form=form)


@bp.get("/import/<token>")
@role_required(Role.ORGANIZER)
def import_preview(token: str):
    pending, path = ACCOUNT_IMPORT.get(token)
    accounts = read_accounts_upload(path.read_bytes(), pending["name"])
    problems = import_problems(accounts)  # checked against the database, nothing written
    return render_template(
        "people/preview.html",
        pending=pending,
        rows=accounts.rows[:PREVIEW_ROWS],
        total=len(accounts.rows),
        problems=[describe_problem(problem) for problem in problems],
        form=ActionForm(),
        role_labels={role.value: label for role, label in ROLE_LABELS.items()},
    )


@bp.post("/import/<token>")
@role_required(Role.ORGANIZER)
def import_confirm(token: str):
    pending, path = ACCOUNT_IMPORT.get(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    result = import_accounts(read_accounts_upload(path.read_bytes(), pending["name"]))
    if result.problems:  # the file or the database changed since the preview
        flash(_("Nothing was imported: the file has problems."), "error")
        return redirect(url_for("people.import_preview", token=token))
    now = clock.utc_now()
    services.record_import(result, current_user, now)
    handoff = services.hand_off_credentials(result, current_user, now)
    db.session.commit()
    ACCOUNT_IMPORT.drop()
    flash(_("%(count)s accounts were imported.", count=len(result.created)), "success")
    if handoff is None:
        return redirect(url_for("people.index"))
    session[CREDENTIALS] = {"token": handoff[0], "key": handoff[1], "count": len(result.created)}
    return redirect(url_for("people.credentials"))


@bp.get("/credentials")
@role_required(Role.ORGANIZER)
def credentials():
    waiting = session.get(CREDENTIALS)
    return render_template("people/credentials.html", waiting=waiting, form=ActionForm())


@bp.post("/credentials")
@role_required(Role.ORGANIZER)
def download_credentials():
    """The generated passwords as XLSX, once: the key leaves the session, the row the database."""
    waiting = session.pop(CREDENTIALS, None)
    if not ActionForm().validate_on_submit():
        abort(400)
    lines = None
    if waiting:
        lines = services.take_credentials(
            waiting["token"], waiting["key"], current_user, clock.utc_now()
        )
        db.session.commit()
    if lines is None:
        flash(_("These passwords were downloaded already or have expired."), "error")
        return redirect(url_for("people.credentials"))
    response = send_file(
        io.BytesIO(services.credentials_workbook(lines)),
        as_attachment=True,
        download_name="mat-khau-tai-khoan.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
