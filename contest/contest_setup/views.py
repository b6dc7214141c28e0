"""Creating and copying contests, and a contest's settings pages."""

import tempfile
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    g,
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
from contest.actions import saved_or_refused
from contest.auth.decorators import role_required
from contest.contest_setup import bp, contests_bp, documents_bp, services
from contest.contest_setup.forms import (
    REVIEW_LABELS,
    DocumentForm,
    EmblemForm,
    FairPlayForm,
    IdentityForm,
    LegalBasisForm,
    NewContestForm,
    RoundRulesForm,
    RulesTextForm,
    VisibilityForm,
)
from contest.domain.text import next_years_name
from contest.errors import Refused
from contest.extensions import db
from contest.forms import ActionForm
from contest.models import Contest, ContestDocument, Role
from contest.organizer.services import WINDOW_FIELDS
from contest.results.workflow import current_snapshot
from contest.storage import current_storage
from contest.units import services as unit_services
from contest.units.forms import participation_from_form


@bp.url_value_preprocessor
def allow_documents_over_the_site_limit(endpoint, values):
    """A document may be larger than the site's request limit (16 MB): raised for its upload
    before the CSRF check reads the body, to twice the documents' own limit so that a file
    just over it gets its clear message (a larger one is refused unread)."""
    if endpoint == "contest_setup.upload_document":
        request.max_content_length = 2 * services.MAX_DOCUMENT_BYTES


# Creating and copying


@contests_bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def new_contest():
    form = NewContestForm()
    if request.method == "GET":
        form.name.data = request.args.get("name", "")
        form.slug.data = services.suggest_slug(form.name.data) if form.name.data else ""
    return _create(form, source=None)


@contests_bp.route("/<int:contest_id>/copy", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def copy_contest(contest_id: int):
    source = db.get_or_404(Contest, contest_id)
    form = NewContestForm()
    if request.method == "GET":
        year = source.quiz_opens_at.astimezone(clock.local_zone()).year
        form.name.data = next_years_name(source.name, year)
        form.slug.data = services.suggest_slug(form.name.data)
        form.organizer_name.data = source.organizer_name
        for name in WINDOW_FIELDS:  # a suggestion: the same windows a year later
            getattr(form, name).data = services.a_year_later(getattr(source, name))
    return _create(form, source=source)


def _create(form: NewContestForm, source: Contest | None):
    if form.validate_on_submit():
        new = services.NewContest(
            name=form.name.data,
            slug=form.slug.data.strip(),
            organizer_name=form.organizer_name.data,
            windows={name: getattr(form, name).data for name in WINDOW_FIELDS},
        )
        try:
            contest = services.create_contest(new, current_user, clock.utc_now(), source)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("The contest is created; set it up below."), "success")
            return redirect(url_for("contest_setup.index", contest_slug=contest.slug))
    past = db.session.scalars(select(Contest).order_by(Contest.quiz_opens_at.desc())).all()
    return render_template("contest_setup/new.html", form=form, source=source, past=past)


# One contest's settings


@bp.get("/")
@role_required(Role.ORGANIZER)
def index():
    contest = g.contest
    return render_template(
        "contest_setup/index.html",
        contest=contest,
        rounds_started=services.rounds_started(contest),
        participating_units=len(unit_services.participation(contest)),
        review_labels={policy.value: label for policy, label in REVIEW_LABELS.items()},
    )


@bp.route("/identity", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def identity():
    contest = g.contest
    form = IdentityForm(obj=contest)
    if form.validate_on_submit():
        values = services.Identity(
            **{field: form[field].data for field in services.Identity.__dataclass_fields__}
        )
        done = saved_or_refused(
            lambda: services.change_identity(contest, values, current_user, clock.utc_now()),
            _("The names are saved."),
            "contest_setup.identity",
        )
        if done:
            return done
    return render_template(
        "contest_setup/identity.html",
        contest=contest,
        form=form,
        emblem_form=EmblemForm(formdata=None),
        action_form=ActionForm(),
    )


@bp.post("/emblem")
@role_required(Role.ORGANIZER)
def upload_emblem():
    contest = g.contest
    form = EmblemForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return redirect(url_for("contest_setup.identity"))
    with tempfile.TemporaryDirectory(dir=current_app.instance_path) as directory:
        path = Path(directory) / "emblem"
        form.file.data.save(path)
        try:
            old_key = services.set_emblem(
                contest, path, current_storage(), current_user, clock.utc_now()
            )
        except Refused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
            return redirect(url_for("contest_setup.identity"))
    db.session.commit()
    if old_key:
        current_storage().delete(old_key)  # after the commit: a failed commit keeps the file
    flash(_("The emblem is saved."), "success")
    return redirect(url_for("contest_setup.identity"))


@bp.post("/emblem/delete")
@role_required(Role.ORGANIZER)
def delete_emblem():
    if not ActionForm().validate_on_submit():
        abort(400)
    old_key = services.remove_emblem(g.contest, current_user, clock.utc_now())
    db.session.commit()
    if old_key:
        current_storage().delete(old_key)
    flash(_("The emblem is removed."), "success")
    return redirect(url_for("contest_setup.identity"))


@documents_bp.get("/emblem")
def emblem():
    """The contest's emblem, for everyone: it shows in the top bar of the contest's pages."""
    contest = g.contest
    if contest.emblem_key is None:
        abort(404)
    storage = current_storage()
    path = storage.local_path(contest.emblem_key)
    if path is None:
        seconds = current_app.config["S3_PRESIGN_SECONDS"]
        return redirect(storage.presign_get(contest.emblem_key, seconds), code=302)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=contest.emblem_type, max_age=3600)


@bp.route("/rules", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def rules():
    contest = g.contest
    form = RulesTextForm(obj=contest)
    if form.validate_on_submit():
        text = form.rules_text.data
        done = saved_or_refused(
            lambda: services.change_rules_text(contest, text, current_user, clock.utc_now()),
            _("The rules text is saved."),
            "contest_setup.rules",
        )
        if done:
            return done
    return render_template(
        "contest_setup/rules.html",
        contest=contest,
        form=form,
        document_form=DocumentForm(formdata=None),
        max_mb=services.MAX_DOCUMENT_BYTES // 1024**2,
    )


@bp.post("/documents")
@role_required(Role.ORGANIZER)
def upload_document():
    contest = g.contest
    form = DocumentForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return redirect(url_for("contest_setup.rules"))
    upload = form.file.data
    with tempfile.TemporaryDirectory(dir=current_app.instance_path) as directory:
        path = Path(directory) / "document"
        upload.save(path)
        return saved_or_refused(
            lambda: services.add_document(
                contest,
                form.title.data,
                upload.filename or "",
                path,
                current_storage(),
                current_user,
                clock.utc_now(),
            ),
            _("The document is attached."),
            "contest_setup.rules",
        ) or redirect(url_for("contest_setup.rules"))


def _document(document_id: int) -> ContestDocument:
    document = db.session.get(ContestDocument, document_id)
    if document is None or document.contest_id != g.contest.id:
        abort(404)
    return document


@bp.post("/documents/<int:document_id>/delete")
@role_required(Role.ORGANIZER)
def delete_document(document_id: int):
    document = _document(document_id)
    key = services.delete_document(document, current_user, clock.utc_now())
    db.session.commit()
    current_storage().delete(key)  # after the commit: a failed commit keeps the file
    flash(_("The document is removed."), "success")
    return redirect(url_for("contest_setup.rules"))


@documents_bp.get("/<int:document_id>")
def download_document(document_id: int):
    """A contest's document, for everyone: the plan and decisions are public papers."""
    document = _document(document_id)
    storage = current_storage()
    path = storage.local_path(document.storage_key)
    name = document.original_filename
    if path is None:
        seconds = current_app.config["S3_PRESIGN_SECONDS"]
        url = storage.presign_get(
            document.storage_key, seconds, download_name=name, content_type="application/pdf"
        )
        return redirect(url, code=302)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=name, max_age=3600)


@bp.route("/rounds", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def rounds():
    contest = g.contest
    form = RoundRulesForm(obj=services.RoundRules.of(contest))
    if form.validate_on_submit():
        values = services.RoundRules(
            **{name: form[name].data for name in services.RoundRules.__dataclass_fields__}
        )
        done = saved_or_refused(
            lambda: services.change_round_rules(
                contest, values, current_user, clock.utc_now(), clock.local_zone()
            ),
            _("The round rules are saved."),
            "contest_setup.rounds",
        )
        if done:
            return done
    return render_template(
        "contest_setup/rounds.html",
        contest=contest,
        form=form,
        rounds_started=services.rounds_started(contest),
        most_used=services.most_rounds_used(contest, clock.utc_now(), clock.local_zone()),
    )


@bp.route("/visibility", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def visibility():
    contest = g.contest
    form = VisibilityForm(obj=services.Visibility.of(contest))
    if form.validate_on_submit():
        values = services.Visibility(
            **{name: form[name].data for name in services.Visibility.__dataclass_fields__}
        )
        done = saved_or_refused(
            lambda: services.change_visibility(contest, values, current_user, clock.utc_now()),
            _("Saved."),
            "contest_setup.visibility",
        )
        if done:
            return done
    return render_template("contest_setup/visibility.html", contest=contest, form=form)


@bp.route("/participants", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def participants():
    contest = g.contest
    choices = unit_services.participation_choices(contest)
    form, bad = ActionForm(), []
    if form.validate_on_submit():
        unit_ids = [unit.id for _, units in choices for unit, _ in units]
        chosen, bad = participation_from_form(request.form, unit_ids)
        if bad:
            flash(_("Enter each ticked unit's headcount as a whole number."), "error")
        else:
            done = saved_or_refused(
                lambda: unit_services.set_participation(
                    contest, chosen, current_user, clock.utc_now()
                ),
                _("The participating units are saved."),
                "contest_setup.participants",
            )
            if done:
                return done
    return render_template(
        "contest_setup/participants.html",
        contest=contest,
        choices=choices,
        form=form,
        bad=set(bad),
        posted=request.form if request.method == "POST" else None,
        frozen=current_snapshot(contest) is not None,
    )


@bp.route("/legal-basis", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def legal_basis():
    contest = g.contest
    form = LegalBasisForm(obj=services.LegalBasisSettings.of(contest))
    if form.validate_on_submit():
        values = services.LegalBasisSettings(form.reference_date.data, form.draws_out_of_force.data)
        done = saved_or_refused(
            lambda: services.change_legal_basis_settings(
                contest, values, current_user, clock.utc_now()
            ),
            _("Saved."),
            "contest_setup.legal_basis",
        )
        if done:
            return done
    return render_template("contest_setup/legal_basis.html", contest=contest, form=form)


@bp.route("/fair-play", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def fair_play():
    contest = g.contest
    form = FairPlayForm(obj=services.FairPlay.of(contest))
    if form.validate_on_submit():
        values = services.FairPlay(
            **{name: form[name].data for name in services.PLAUSIBILITY_SETTINGS}
        )
        done = saved_or_refused(
            lambda: services.change_fair_play(contest, values, current_user, clock.utc_now()),
            _("The thresholds are saved; they apply to rounds graded from now on."),
            "contest_setup.fair_play",
        )
        if done:
            return done
    return render_template("contest_setup/fair_play.html", contest=contest, form=form)
