"""GET /healthz: whether this app host can serve, for the load balancer and the monitoring."""

from flask import current_app, jsonify
from sqlalchemy import text

from contest import rate_limits
from contest.errors import DATABASE_UNREACHABLE
from contest.extensions import db
from contest.health import bp


def database_state() -> str:
    """`ok` when the database answers a trivial query, `unreachable` otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except DATABASE_UNREACHABLE:
        db.session.rollback()
        return "unreachable"
    return "ok"


@bp.get("/healthz")
def healthz():
    """200 while the database answers, 503 when it does not; Redis is reported, not required.

    Redis down leaves the rate limits in each process's memory and the contest going on, so a
    balancer must not take every host out of service for it. No secret is shown: no address,
    no user, no error text.
    """
    database = database_state()
    body = {
        "status": "ok" if database == "ok" else "unavailable",
        "database": database,
        "redis": rate_limits.redis_state(),
        "version": current_app.config["APP_VERSION"],
    }
    return jsonify(body), 200 if database == "ok" else 503
