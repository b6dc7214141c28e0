"""Reading the logged-in user's id without loading the user (for hot paths)."""

from flask import session


def session_user_id() -> int | None:
    """The id Flask-Login keeps in the signed session cookie, or None when logged out.

    The cookie is signed, so the id is the one this server put there at login; whether the
    account is still active is for the caller's query to check.
    """
    value = session.get("_user_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None
