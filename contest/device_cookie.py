"""The site's device cookie: a random id the site sets on the browser that plays a round, so
that many accounts playing from one browser can be seen (contest.domain.plausibility).

First-party, HttpOnly, nothing read from the device itself: not a fingerprint. Whoever clears
cookies or uses another browser gets a new id; it catches the careless, and says so in the
README ("Fair play").
"""

import re
import secrets

from flask import Response, current_app, request

NAME = "device"
MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
_ID = re.compile(r"[0-9a-f]{32}")


def device_id() -> str:
    """The request's device id, or a new one when it has none (or a malformed one)."""
    sent = request.cookies.get(NAME, "")
    return sent if _ID.fullmatch(sent) else secrets.token_hex(16)


def keep_device_id(response: Response, value: str) -> Response:
    """Set (or renew) the device cookie on `response`."""
    response.set_cookie(
        NAME,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
