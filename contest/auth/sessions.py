"""The session's account: its id and session version, read from the signed cookie.

Flask-Login keeps `User.get_id()`, "id:session_version", in the session and in the remember-me
cookie. Every request compares the version with the user's: the user loader when it loads the
user, and the save-answer statement inside its own SQL on the hot path, which loads no user.
A bumped version (`User.revoke_sessions()`: logout, a new password, deactivation) therefore
ends every session of that user, copied cookies and remember-me cookies included.
"""

import functools
import time
from typing import NamedTuple

from flask import Flask, Request, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer


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


_IMMUTABLE = (str, int, float, bool, type(None))


class CachedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with each cookie's signature checked once per process.

    Every API request opens the session: verifying the cookie's HMAC and decoding its JSON
    each time was about a tenth of a save's work, for the same cookie again and again. The
    decoded data and the cookie's signing time are kept per cookie and keys; its age is still
    checked on every request, as itsdangerous checks it. A cookie holding anything mutable
    (flashed messages) is decoded afresh each time, so no request can change what another
    one reads; saving the session is Flask's own.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        # itsdangerous's order: the fallbacks, then the current key, which signs.
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        decoded = self._decoded(keys, cookie)
        if decoded is None:  # a bad signature, or mutable values: Flask's own path
            return super().open_session(app, request)
        data, signed_at = decoded
        if not 0 <= time.time() - signed_at <= app.permanent_session_lifetime.total_seconds():
            return self.session_class()  # expired (or from the future), as itsdangerous says
        return self.session_class(data)  # a copy: the cached dict is never handed out

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one interface per application)
    def _decoded(self, keys: tuple, cookie: str) -> tuple[dict, float] | None:
        serializer = URLSafeTimedSerializer(
            list(keys),
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )
        try:
            data, signed_at = serializer.loads(cookie, return_timestamp=True)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not all(isinstance(v, _IMMUTABLE) for v in data.values()):
            return None
        return data, signed_at.timestamp()
