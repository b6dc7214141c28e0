"""Steps the browser journeys share: logging in, and keeping a screenshot to look at."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from contest.extensions import db
from contest.models import Contest
from tests.helpers import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


# The shared live app's contest, and its pages' prefix.
LIVE = "live"
IN_LIVE = f"/contests/{LIVE}"


def contest_by_slug(slug: str = LIVE) -> Contest:
    """A contest of a live app (inside its app context), by its slug."""
    return db.session.scalar(select(Contest).where(Contest.slug == slug))


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def watch_csp(page) -> list[str]:
    """The Content-Security-Policy violations the page reports on its console, as they come:
    every journey ends with none (an inline script or style the policy blocked)."""
    violations: list[str] = []

    def listen(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", listen)
    return violations


def log_in(page, login: str, password: str = PASSWORD) -> None:
    page.goto("/auth/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


@contextmanager
def desktop_page(browser, base_url: str) -> Iterator:
    """A desktop-sized page in Vietnamese, for the organizers' screens; closed on the way out."""
    context = browser.new_context(
        base_url=base_url, locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = watch_csp(page)
    try:
        yield page
        assert violations == []
    finally:
        context.close()
