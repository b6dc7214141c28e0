"""Security headers on every response, set in one after_request hook.

- Content-Security-Policy: pages run only the site's own script files (no inline script, no
  inline handlers, no style attributes); videos, thumbnails and uploads may also reach the S3
  endpoint when videos live there. Responses that are not pages (JSON, media, exports) carry
  only `frame-ancestors 'none'`: a policy for documents would change nothing for them, and a
  stricter one can stop the browser's own PDF or media viewer.
- X-Frame-Options DENY and frame-ancestors 'none': no page can be framed (approving and
  publishing results cannot be clickjacked).
- X-Content-Type-Options nosniff on everything, media included; Referrer-Policy same-origin.
- Cache-Control no-store on every /api/ response and on every response to a logged-in browser
  (a shared computer's back button or a proxy must not show someone's rounds), static files
  aside.
- Strict-Transport-Security when the request came over HTTPS (ProxyFix trusts the proxy's
  X-Forwarded-Proto when TRUSTED_PROXIES is set); never on plain HTTP, so a demo stays usable.

The JSON API's CSRF check (protect_api) is here too: see its docstring and the README.
"""

import functools
import hmac
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session
from flask_wtf.csrf import CSRFError, validate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import ValidationError

HSTS = "max-age=31536000"
NOT_A_PAGE_POLICY = "frame-ancestors 'none'"


def s3_origins(config) -> list[str]:
    """The origins the browser reaches for videos when they live in S3 (presigned URLs)."""
    bucket = config.get("S3_BUCKET")
    if not bucket:
        return []
    endpoint = config.get("S3_ENDPOINT_URL")
    if endpoint:  # path-style URLs on the endpoint (MinIO, a Vietnamese cloud, moto)
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if config.get("S3_REGION"):
        origins.append(f"https://{bucket}.s3.{config['S3_REGION']}.amazonaws.com")
    return origins


def page_policy(config) -> str:
    """The Content-Security-Policy of the site's pages."""
    s3 = "".join(f" {origin}" for origin in s3_origins(config))
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{s3}",
            f"media-src 'self'{s3}",
            f"connect-src 'self'{s3}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _logged_in() -> bool:
    """Whether the browser holds a session or a remember-me cookie (no query)."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or cookie in request.cookies


def register(app: Flask) -> None:
    """Add the security headers to every response of `app`."""
    policy = page_policy(app.config)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # One pass over what the response holds, then one extend: Werkzeug's set and
        # setdefault each walk the headers, lower-casing every name (about half of this
        # hook's cost on the quiz API before).
        present = {name.lower() for name in headers.keys()}  # noqa: SIM118 (Headers)
        added = []
        if "content-security-policy" not in present:
            is_page = response.mimetype == "text/html"
            added.append(("Content-Security-Policy", policy if is_page else NOT_A_PAGE_POLICY))
        if "referrer-policy" not in present:
            added.append(("Referrer-Policy", "same-origin"))
        replaced = [
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        if request.is_secure:
            replaced.append(("Strict-Transport-Security", HSTS))
        if request.endpoint != "static" and (request.path.startswith("/api/") or _logged_in()):
            replaced.append(("Cache-Control", "no-store"))
        for name, value in replaced:
            if name.lower() in present:
                headers[name] = value
            else:
                added.append((name, value))
        headers.extend(added)
        return response


# Sec-Fetch-Site values of a request the site's own pages made (or the user typed).
OWN_FETCH_SITES = frozenset({"same-origin", "none"})


def protect_api(app: Flask, api_blueprint) -> None:
    """CSRF protection of the JSON API's writes, in place of Flask-WTF's generic check.

    Every POST, PUT, PATCH and DELETE of the API must:
    - not come from another site: a `Sec-Fetch-Site` other than same-origin (a browser's own
      word on who made the request) and an `Origin` other than this site's are refused;
    - carry the session's CSRF token in the X-CSRFToken header. A custom header cannot be sent
      cross-origin without a CORS preflight, which this site never grants, and a form cannot
      send one at all. The token is checked as Flask-WTF checks it, but its signature once per
      token and process (an HMAC of the same string gives the same answer every time), not
      once per request: the check costs a dictionary look-up on the hot path.
    Over HTTPS with WTF_CSRF_SSL_STRICT (the default), a request without an Origin must carry
    a same-origin Referer, as Flask-WTF requires. Refusals answer 400 csrf_failed.
    """
    from contest.extensions import csrf

    csrf.exempt(api_blueprint)
    name = api_blueprint.name

    @app.before_request
    def refuse_cross_site_api_writes() -> None:
        config = current_app.config
        if request.blueprint != name or request.method not in config["WTF_CSRF_METHODS"]:
            return
        if not (config["WTF_CSRF_ENABLED"] and config["WTF_CSRF_CHECK_DEFAULT"]):
            return
        fetch_site = request.headers.get("Sec-Fetch-Site")
        if fetch_site is not None and fetch_site not in OWN_FETCH_SITES:
            raise CSRFError("The request comes from another site.")
        origin = request.headers.get("Origin")
        if origin is not None and not _is_own_origin(origin):
            raise CSRFError("The request comes from another origin.")
        strict = origin is None and request.is_secure and config["WTF_CSRF_SSL_STRICT"]
        if strict and not (request.referrer and _is_own_origin(request.referrer)):
            raise CSRFError("The referrer is missing or does not match the host.")
        _check_token(config)


def _is_own_origin(url: str) -> bool:
    """Whether an Origin (or Referer) names this site: its host and port, and HTTPS unless the
    request itself came over plain HTTP (behind a TLS proxy the app may see http)."""
    parts = urlsplit(url)
    return parts.netloc == request.host and parts.scheme in ("https", request.scheme)


def _check_token(config) -> None:
    token = next(
        (request.headers[h] for h in config["WTF_CSRF_HEADERS"] if request.headers.get(h)), None
    )
    if config["WTF_CSRF_TIME_LIMIT"] is not None:  # an expiring token: Flask-WTF's own check
        try:
            validate_csrf(token)
        except ValidationError as error:
            raise CSRFError(error.args[0]) from None
        return
    field = config["WTF_CSRF_FIELD_NAME"]
    expected = session.get(field)
    if not token or not expected:
        raise CSRFError("The CSRF token is missing.")
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    signed = _signed_value(secret, token)
    if signed is None or not hmac.compare_digest(expected, signed):
        raise CSRFError("The CSRF token is invalid.")


@functools.lru_cache(maxsize=4096)
def _signed_value(secret: str, token: str) -> str | None:
    """The session value a signed CSRF token carries, None when its signature is not ours."""
    try:
        value = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads(token)
    except BadData:
        return None
    return value if isinstance(value, str) else None
