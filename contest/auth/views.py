"""Log in, register, log out, change a password, and get a forgotten one back."""

from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from contest import clock, mail
from contest.auth import bp, services
from contest.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    unit_choices,
)
from contest.auth.limits import (
    login_per_account,
    login_per_address,
    mark_account_created,
    password_reset_per_account,
    password_reset_per_address,
    register_per_address,
    register_per_unit,
)
from contest.auth.sessions import renew_login
from contest.extensions import db
from contest.models import Role
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
    registration_open = services.self_registration_is_open(clock.utc_now())
    return render_template("auth/login.html", form=form, registration_open=registration_open)


@bp.route("/logout", methods=["POST"])
def logout():
    services.log_out(current_user)
    db.session.commit()
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))


def _registration_form() -> RegisterForm:
    """The registration form, offering the units services.registration_units names."""
    form = RegisterForm()
    form.unit_id.choices = unit_choices(services.registration_units(clock.utc_now()))
    return form


def _register_page(form: RegisterForm, refusal: str | None = None, status: int = 200):
    return render_template("auth/register.html", form=form, refusal=refusal), status


@bp.route("/register", methods=["GET", "POST"])
@register_per_address
@register_per_unit
def register():
    if current_user.is_authenticated:
        return redirect(landing_page(current_user))
    if not services.self_registration_is_open(clock.utc_now()):
        if request.method == "POST":
            return render_template(
                "errors/error.html", status=403, message=_registration_closed_message()
            ), 403
        return render_template("auth/register_closed.html")
    form = _registration_form()
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
            mark_account_created()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(landing_page(user))
    return _register_page(form)


def _registration_closed_message() -> str:
    return _(
        "Registration is closed: only accounts imported by the organizers can log in. "
        "Ask your unit's contact person or the organizers for an account."
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@password_reset_per_account
@password_reset_per_address
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form)
    now = clock.utc_now()
    config = current_app.config
    links = services.request_password_reset(form.login.data, config["SECRET_KEY"], now)
    site = _("Administrative reform contest")
    mails = [
        services.reset_mail(link.user, _external_url("auth.reset_password", link.token), site)
        for link in links
    ]
    db.session.commit()
    mail.dispatch(mails, config)
    return _forgot_password_answer()


def _forgot_password_answer():
    """One answer for every case: whether the account exists, has an email or a unit is never
    told; the list of units and their admins tells people whom to ask."""
    return render_template(
        "auth/forgot_password_sent.html",
        mail_enabled=mail.mail_is_enabled(current_app.config),
        directory=services.unit_admin_directory(),
    )


def _external_url(endpoint: str, token: str) -> str:
    """An absolute link for a mail: from SITE_URL when set, never from a forged Host header."""
    base = current_app.config["SITE_URL"]
    if base:
        return base + url_for(endpoint, token=token)
    return url_for(endpoint, token=token, _external=True)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    now = clock.utc_now()
    user = services.user_for_reset_token(token, current_app.config["SECRET_KEY"], now)
    if user is None:
        page = render_template("auth/reset_link_invalid.html")
        return page, 400, {"Referrer-Policy": "no-referrer"}
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.new_password.data, now)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    page = render_template("auth/reset_password.html", form=form, user=user)
    return page, 200, {"Referrer-Policy": "no-referrer"}


@bp.errorhandler(429)
def too_many_requests(error):
    """A refused form keeps what was typed (never a password) and says why, in a page."""
    scope = getattr(getattr(error, "limit", None), "scope", None)
    if request.endpoint == "auth.register":
        if scope == "register-unit":
            refusal = _(
                "Too many accounts were registered in this unit just now. "
                "Please try again later; what you typed is kept."
            )
        else:
            refusal = _(
                "Too many accounts were registered from your network just now. "
                "Please try again later; what you typed is kept."
            )
        return _register_page(_registration_form(), refusal=refusal, status=429)
    if request.endpoint == "auth.forgot_password":
        refusal = _("Too many requests for a new password. Please try again later.")
        form = ForgotPasswordForm()
        return render_template("auth/forgot_password.html", form=form, refusal=refusal), 429
    message = _("Too many requests. Wait a moment and try again.")
    return render_template("errors/error.html", status=429, message=message), 429


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
            return redirect(landing_page(current_user))
        form.current_password.errors.append(_("The current password is wrong."))
    return render_template("auth/password.html", form=form)
