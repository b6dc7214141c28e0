"""Log in, register, log out, change password."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from contest.auth import bp, services
from contest.auth.forms import ChangePasswordForm, LoginForm, RegisterForm
from contest.auth.limits import login_per_account, login_per_address
from contest.auth.sessions import renew_login
from contest.extensions import db
from contest.models import Role, UnitGroup


def landing_page(user) -> str:
    """Where a user goes after logging in: organizers to their overview, others to the quiz."""
    if user.has_role(Role.ORGANIZER):
        return url_for("organizer.dashboard")
    if user.has_role(Role.PARTICIPANT):
        return url_for("quiz.home")
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
    services.log_out(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))


def _unit_choices() -> dict[str, list[tuple[int, str]]]:
    groups = db.session.scalars(select(UnitGroup).order_by(UnitGroup.position)).all()
    return {group.name: [(unit.id, unit.name) for unit in group.units] for group in groups}


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("quiz.home"))
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
            return redirect(url_for("quiz.home"))
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
            renew_login(current_user)  # this session goes on; every other one has ended
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("quiz.home"))
        form.current_password.errors.append(_("The current password is wrong."))
    return render_template("auth/password.html", form=form)
