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
"""

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session

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
        is_page = response.mimetype == "text/html"
        headers.setdefault("Content-Security-Policy", policy if is_page else NOT_A_PAGE_POLICY)
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        if request.endpoint != "static" and (request.path.startswith("/api/") or _logged_in()):
            headers["Cache-Control"] = "no-store"
        return response
