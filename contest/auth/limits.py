"""Rate limits shared by the login form and the API's login."""

from flask import current_app, request

from contest.auth.services import login_key
from contest.extensions import limiter


def _login_attempt_key() -> str:
    """Per account typed, so that one office NAT does not lock out a whole unit."""
    data = request.get_json(silent=True) if request.is_json else request.form
    login = data.get("login", "") if isinstance(data, dict) else ""
    return "login:" + login_key(str(login))


login_per_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    scope="login-account",
    key_func=_login_attempt_key,
    methods=["POST"],
)
login_per_address = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"],
    scope="login-address",
    key_func=lambda: f"addr:{request.remote_addr}",
    methods=["POST"],
)
