"""Access checks for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from contest.models import Role


def role_required(*roles: Role):
    """Let through logged-in users holding one of `roles`; 403 for the others."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
