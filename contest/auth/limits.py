"""Rate limits of the account forms: login (shared with the API's), registration, forgotten
passwords. A refused form is answered by the auth blueprint's 429 handler (views.py)."""

from flask import current_app, request

from contest.auth.services import login_key
from contest.extensions import limiter


def _login_attempt_key() -> str:
    """Per account typed, so that one office NAT does not lock out a whole unit."""
    data = request.get_json(silent=True) if request.is_json else request.form
    login = data.get("login", "") if isinstance(data, dict) else ""
    return "login:" + login_key(str(login))


def _client_address() -> str:
    return f"addr:{request.remote_addr}"


login_per_account = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    scope="login-account",
    key_func=_login_attempt_key,
    methods=["POST"],
)
login_per_address = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"],
    scope="login-address",
    key_func=_client_address,
    methods=["POST"],
)


_ACCOUNT_CREATED = "contest.account_created"


def mark_account_created() -> None:
    """Tell the registration limits that this request created an account (they count those).

    Kept on the request itself: `g` lives as long as the application context, which a test
    (or a command) may hold across several requests.
    """
    request.environ[_ACCOUNT_CREATED] = True


def _account_created(response) -> bool:
    return bool(request.environ.get(_ACCOUNT_CREATED))


def _chosen_unit_key() -> str:
    """The unit the form names, whoever sends it and from wherever."""
    unit_id = request.form.get("unit_id", "")
    return f"unit:{unit_id}" if unit_id.isdigit() else "unit:none"


# Only accounts actually created count (deduct_when): a participant correcting a typo, or a
# phone number already taken, spends nothing; the check before the view still refuses a
# request once the count is reached.
register_per_address = limiter.shared_limit(
    lambda: current_app.config["REGISTER_RATE_LIMIT_PER_ADDRESS"],
    scope="register-address",
    key_func=_client_address,
    methods=["POST"],
    deduct_when=_account_created,
)
register_per_unit = limiter.shared_limit(
    lambda: current_app.config["REGISTER_RATE_LIMIT_PER_UNIT"],
    scope="register-unit",
    key_func=_chosen_unit_key,
    methods=["POST"],
    deduct_when=_account_created,
)


def _reset_account_key() -> str:
    """Per account typed (phone, username or email): no one's mailbox is flooded with links."""
    return "reset:" + login_key(request.form.get("login", ""))


password_reset_per_account = limiter.shared_limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"],
    scope="reset-account",
    key_func=_reset_account_key,
    methods=["POST"],
)
password_reset_per_address = limiter.shared_limit(
    lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS"],
    scope="reset-address",
    key_func=_client_address,
    methods=["POST"],
)
