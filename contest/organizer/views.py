"""The organizers' pages: the site's contests, and each contest's overview and settings."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest import clock
from contest.actions import saved_or_refused
from contest.auth.decorators import role_required
from contest.domain.prizes import table_total
from contest.errors import Refused
from contest.extensions import db
from contest.models import Role, Unit
from contest.organizer import audit_view, bp, contest_bp
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
    audit_target_names,
    change_results_rules,
    change_windows,
    contest_overview,
    current_rules,
    participation_by_unit,
    rounds_per_day,
    site_start,
)
from contest.paging import requested_page
from contest.public.services import listed_contests
from contest.questions.messages import describe_rule_problem
from contest.questions.services import draw_rule_problems
from contest.results.services import individual_leaderboard

AUDIT_PAGE = 50


@bp.get("/")
@role_required(Role.ORGANIZER)
def home():
    """The site's contests, each with its state and a way into its own organizer pages."""
    now = clock.utc_now()
    contests = listed_contests(now)
    start = None if contests else site_start()
    return render_template("organizer/contests.html", contests=contests, now=now, start=start)


@contest_bp.get("/")
@role_required(Role.ORGANIZER)
def dashboard():
    contest = g.contest
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


@contest_bp.get("/audit")
@role_required(Role.ORGANIZER)
def audit_log():
    contest = g.contest
    page = requested_page()
    entries = audit_entries(contest, limit=AUDIT_PAGE + 1, offset=(page - 1) * AUDIT_PAGE)
    return render_template(
        "organizer/audit.html",
        contest=contest,
        entries=entries[:AUDIT_PAGE],
        page=page,
        has_next=len(entries) > AUDIT_PAGE,
        target_names=audit_target_names(entries[:AUDIT_PAGE]),
        action_label=audit_view.action_label,
        described_details=audit_view.described_details,
    )


@contest_bp.route("/windows", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def windows():
    contest = g.contest
    form = WindowsForm(obj=contest)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in WINDOW_FIELDS}
        done = saved_or_refused(
            lambda: change_windows(contest, values, current_user, clock.utc_now()),
            _("The windows are saved; participants see the new times at once."),
            "contest_organizer.windows",
        )
        if done:
            return done
    return render_template("organizer/windows.html", contest=contest, form=form)


@contest_bp.route("/results-rules", methods=["GET", "POST"])
@role_required(Role.ORGANIZER)
def results_rules():
    contest = g.contest
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
            return redirect(url_for("contest_organizer.results_rules"))
    return render_template(
        "organizer/results_rules.html",
        contest=contest,
        form=form,
        budget=table_total(current_rules(contest).tiers),
    )


@contest_bp.get("/participation/<int:unit_id>")
@role_required(Role.ORGANIZER, Role.UNIT_ADMIN)
def absentees(unit_id: int):
    """Who in a unit has not taken part yet: organizers for any unit, a unit admin for theirs."""
    contest = g.contest
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        abort(404)
    if not current_user.has_role(Role.ORGANIZER) and current_user.unit_id != unit.id:
        abort(403)
    return render_template(
        "organizer/absentees.html", contest=contest, unit=unit, people=absent_members(unit, contest)
    )
