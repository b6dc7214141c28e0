"""The one shape of a form's action in a view: run the service, then commit and say so, or roll
back and show the rule that refused it (contest.errors.Refused)."""

from collections.abc import Callable

from flask import flash, redirect, url_for

from contest.errors import Refused
from contest.extensions import db


def saved_or_refused(change: Callable[[], object], success: str, endpoint: str, **values):
    """Run `change`; on success commit, flash `success` and redirect to `endpoint` (with
    `values`); when refused, roll back, flash the rule and return None (the view shows its form
    again)."""
    try:
        change()
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "error")
        return None
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(endpoint, **values))
