"""The session's account: its id and session version, read from the signed cookie.

Flask-Login keeps `User.get_id()`, "id:session_version", in the session and in the remember-me
cookie. Every request compares the version with the user's: the user loader when it loads the
user, and the save-answer statement inside its own SQL on the hot path, which loads no user.
A bumped version (`User.revoke_sessions()`: logout, a new password, deactivation) therefore
ends every session of that user, copied cookies and remember-me cookies included.
"""

from typing import NamedTuple

from flask import current_app, request, session
from flask_login import login_user


class SessionUser(NamedTuple):
    id: int
    version: int


def parse_user_id(value: object) -> SessionUser | None:
    """The account named by a Flask-Login id: "id:version", or a plain "id" from before
    versions (version 0, which every account has until its first revocation)."""
    if not isinstance(value, str):
        return None
    user_id, _, version = value.partition(":")
    if not (user_id.isascii() and user_id.isdigit()):
        return None
    if not version:
        return SessionUser(int(user_id), 0)
    if not (version.isascii() and version.isdigit()):
        return None
    return SessionUser(int(user_id), int(version))


def session_user() -> SessionUser | None:
    """The account and session version the signed session names, or None when logged out.

    The cookie is signed, so these are what this server put there at login; whether the
    account is still active and still at this version is for the caller's query to check.
    """
    return parse_user_id(session.get("_user_id"))


def session_user_id() -> int | None:
    """The id of the account the signed session names (no query: for rate-limit keys)."""
    who = session_user()
    return who.id if who else None


def renew_login(user) -> None:
    """Log `user` in again at their new session version (after a password change), keeping
    the remember-me cookie if this browser had one."""
    cookie_name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    # The account itself, not the current_user proxy: logging the proxy in would make it
    # point at itself.
    account = user._get_current_object() if hasattr(user, "_get_current_object") else user
    login_user(account, remember=cookie_name in request.cookies)
