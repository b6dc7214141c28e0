"""The organizers' pages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest import clock
from contest.auth.decorators import role_required
from contest.domain.prizes import table_total
from contest.errors import Refused
from contest.extensions import db
from contest.models import Contest, Role, Unit
from contest.organizer import audit_view, bp
from contest.organizer.forms import (
    ResultsRulesForm,
    WindowsForm,
    rules_form_data,
    rules_from_form,
)
from contest.organizer.services import (
    WINDOW_FIELDS,
    absent_members,
    audit_entries,
    change_results_rules,
    change_windows,
    contest_overview,
    current_rules,
    participation_by_unit,
    rounds_per_day,
)
from contest.paging import requested_page
from contest.questions.messages import describe_rule_problem
from contest.questions.services import draw_rule_problems
from contest.results.services import individual_leaderboard

AUDIT_PAGE = 50


@bp.get("/")
@role_required(Role.ORGANIZER)
def dashboard():
    contest = Contest.current_or_404()
    return render_template(
        "organizer/dashboard.html",
        contest=contest,
        now=clock.utc_now(),
        overview=contest_overview(contest),
        top=individual_leaderboard(contest, limit=10),
        rule_problems=[describe_rule_problem(p) for p in draw_rule_problems(contest)],
        participation=participation_by_unit(contest),
        days=rounds_per_day(contest, clock.local_zone()),
    )


@bp.get("/audit")
@role_required(Role.ORGANIZER)
def audit_log():
    contest = Contest.current_or_404()
    page = requested_page()
    entries = audit_entries(contest, limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE)
    return render_template(
        "organizer/audit.html",
        contest=contest,
        entries=entries[:AUDIT_PAGE],
        page=page,
        has_next=len(entries) > AUDIT_PAGE,
        action_label=audit_view.action_label,
        described_details=audit_view.described_details,
    )


@bp.route("/windows", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def windows():
    contest = Contest.current_or_404()
    form = WindowsForm(obj=contest)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in WINDOW_FIELDS}
        try:
            change_windows(contest, values, current_user, clock.utc_now())
        except Refused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("The windows are saved; participants see the new times at once."), "success")
            return redirect(url_for("organizer.windows"))
    return render_template("organizer/windows.html", contest=contest, form=form)


@bp.route("/results-rules", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def results_rules():
    contest = Contest.current_or_404()
    if request.method == "GET":
        form = ResultsRulesForm(data=rules_form_data(current_rules(contest)))
    else:
        form = ResultsRulesForm()
    if form.validate_on_submit():
        try:
            change_results_rules(contest, rules_from_form(form), current_user, clock.utc_now())
        except Refused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("The rules are saved; the provisional results follow them."), "success")
            return redirect(url_for("organizer.results_rules"))
    return render_template(
        "organizer/results_rules.html",
        contest=contest,
        form=form,
        budget=table_total(current_rules(contest).tiers),
    )


@bp.get("/participation/<int:unit_id>")
@role_required(Role.ORGANIZER, Role.UNIT_ADMIN)
def absentees(unit_id: int):
    """Who in a unit has not taken part yet: organizers for any unit, a unit admin for theirs."""
    contest = Contest.current()
    unit = db.session.get(Unit, unit_id)
    if contest is None or unit is None:
        abort(404)
    if not current_user.has_role(Role.ORGANIZER) and current_user.unit_id != unit.id:
        abort(403)
    return render_template(
        "organizer/absentees.html", contest=contest, unit=unit, people=absent_members(unit, contest)
    )
