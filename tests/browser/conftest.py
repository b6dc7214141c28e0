"""A live server on a real database file, and Debian's Chromium driven by Playwright."""

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from contest import create_app
from contest.extensions import db
from tests.browser.steps import LIVE, watch_csp
from tests.helpers import make_contest, make_questions, make_unit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    # The hook sees every item of the session: mark only the journeys of this folder, or
    # `-m "not browser"` deselects the whole suite.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def make_live_app(folder):
    """An app on its own database file (migrated) and media folder: the browser needs
    committed data, served by another thread."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "MEDIA_DIR": str(folder / "media"),
        }
    )
    with app.app_context():
        upgrade()
    return app


@contextmanager
def serving(app) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The journeys' shared app: two units, 30 questions, a contest open for rounds and videos."""
    app = make_live_app(tmp_path_factory.mktemp("live"))
    with app.app_context():
        make_unit(code="SNV")
        make_unit(code="STP")
        make_questions(30)
        now = datetime.now(UTC)
        make_contest(
            now,
            slug=LIVE,
            max_attempts_per_day=5,
            video_opens_at=now - timedelta(days=1),
            video_closes_at=now + timedelta(days=30),
        )
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (make test installs it where it may)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, tmp_path_factory):
    """A phone-sized page in Vietnamese; a screenshot is kept in test-artifacts/ on the way out."""
    context = browser.new_context(
        base_url=live_server,
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = watch_csp(page)
    yield page
    context.close()
    assert violations == [], "the Content-Security-Policy blocked something"
