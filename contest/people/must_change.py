"""A one-time password must be changed before anything else: every page but the password page
and logging out sends the user there, and the API answers 403 `password_change_required`.

The flag is copied into the session at login, from a remember-me cookie, and whenever a page
(which loads the user anyway) finds it on the account, so the API's hot paths, which never load
the user, read it from the cookie; only a flagged session pays a look at the account, which
also drops a flag the user has cleared elsewhere.
"""

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_loaded_from_cookie, user_logged_in

from contest.auth.sessions import session_user_id
from contest.people import bp
from contest.setup import api_error

FLAG = "must_change_password"
ALLOWED_ENDPOINTS = {
    "static",
    "auth.change_password",
    "auth.logout",
    "api.get_session",
    "api.create_session",
    "api.delete_session",
}


@user_logged_in.connect
@user_loaded_from_cookie.connect
def _remember_at_login(app, user, **extra) -> None:
    if user.must_change_password:
        session[FLAG] = True
    else:
        session.pop(FLAG, None)


@bp.before_app_request
def require_password_change():
    """Hold a user with a one-time password on the password page until it is changed."""
    is_api = request.path.startswith("/api/")
    if not session.get(FLAG):
        if is_api or request.endpoint == "static":
            return None
        if not (current_user.is_authenticated and current_user.must_change_password):
            return None
        session[FLAG] = True
    if session_user_id() is None or not (
        current_user.is_authenticated and current_user.must_change_password
    ):
        session.pop(FLAG, None)
        return None
    if request.endpoint in ALLOWED_ENDPOINTS:
        return None
    message = _("Choose a new password before going on: yours was given to you for one use.")
    if is_api:
        return api_error("password_change_required", message, 403)
    flash(message, "warning")
    return redirect(url_for("auth.change_password"))
