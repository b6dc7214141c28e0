"""Log in, register, log out, change password."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from contest import clock
from contest.auth import bp, services
from contest.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from contest.auth.limits import login_per_account, login_per_address
from contest.extensions import db
from contest.models import Role, UnitGroup
from contest.public.services import open_contests


def landing_page(user) -> str:
    """Where a user goes after logging in: organizers to their list of contests, participants
    to the quiz of the one open contest, everyone else (or when several are open) home."""
    if user.has_role(Role.ORGANIZER):
        return url_for("organizer.home")
    if user.has_role(Role.PARTICIPANT):
        found = open_contests(clock.utc_now())
        if len(found) == 1:
            return url_for("quiz.home", contest_slug=found[0].slug)
    return url_for("public.home")


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    is_local = target.startswith("/") and not target.startswith("//") and not parts.netloc
    return target if is_local else default


@bp.route("/login", methods=["GET", "POST"])
@login_per_account
@login_per_address
def login():
    if current_user.is_authenticated:
        return redirect(landing_page(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(landing_page(user)))
        form.login.errors.append(_("Wrong phone number, username or password."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))


def _unit_choices() -> dict[str, list[tuple[int, str]]]:
    groups = db.session.scalars(select(UnitGroup).order_by(UnitGroup.position)).all()
    return {group.name: [(unit.id, unit.name) for unit in group.units] for group in groups}


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(landing_page(current_user))
    form = RegisterForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            user = services.register_participant(
                form.full_name.data,
                form.phone.data,
                form.unit_id.data,
                form.position.data or "",
                form.email.data,
                form.password.data,
            )
        except services.PhoneTaken:
            form.phone.errors.append(_("An account already uses this phone number."))
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(landing_page(user))
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.change_password(
            current_user, form.current_password.data, form.new_password.data
        ):
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(landing_page(current_user))
        form.current_password.errors.append(_("The current password is wrong."))
    return render_template("auth/password.html", form=form)
