"""One app per session; each test runs in a transaction that is rolled back afterwards.

Set TEST_DATABASE_URL (postgresql+psycopg://...) to run the database tests on PostgreSQL.
"""

import os
from datetime import UTC, datetime, timedelta

import pytest
from flask import g
from flask_babel import refresh as refresh_babel
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.orm import scoped_session, sessionmaker

from contest import clock, create_app
from contest.extensions import db, limiter
from tests.helpers import ApiClient

pytest_plugins = ["tests.s3_server"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# The cluster test needs root and a few minutes: `make cluster-test` (CLUSTER_TEST=1) runs it.
collect_ignore = [] if os.environ.get("CLUSTER_TEST") else ["cluster"]


def pytest_collection_modifyitems(config, items):
    """Tests that use the database are marked `db`, so they can be run again on PostgreSQL."""
    for item in items:
        if {"app", "db_session", "client", "api"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def pytest_runtest_setup(item):
    """A test marked `postgres` (or a parameter so marked) runs only on TEST_DATABASE_URL's
    PostgreSQL: the one place that skips it otherwise."""
    if item.get_closest_marker("postgres") and not (TEST_DATABASE_URL or "").startswith(
        "postgresql"
    ):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgres(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "TIMEZONE": "Asia/Ho_Chi_Minh",
            "SERVER_NAME": "localhost",
            "MEDIA_DIR": str(tmp_path_factory.mktemp("media")),
            "VIDEO_PROCESSING": "inline",
        }
    )
    # Tests hold an app context, so requests share `g`: forget its per-request caches.
    app.before_request(_forget_request_caches)
    if database_url.startswith("postgresql"):
        _reset_postgres(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _enable_sqlite_savepoints(db.engine)
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter collects them


def _forget_request_caches() -> None:
    refresh_babel()
    g.pop("_login_user", None)
    g.pop("csrf_token", None)  # Flask-WTF's per-request token cache, else shared by clients


def _enable_sqlite_savepoints(engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""

    @event.listens_for(engine, "connect")
    def do_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def do_begin(connection):
        connection.exec_driver_sql("BEGIN")

    engine.dispose()


@pytest.fixture
def db_session(app):
    """The test's session: commits become savepoints in one transaction rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # A plain Session: Flask-SQLAlchemy's own get_bind would ignore the connection.
        db.session = scoped_session(
            sessionmaker(
                bind=connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,  # as the app's session
            )
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    yield
    if "app" in request.fixturenames:
        limiter.reset()


class FrozenClock:
    """A settable clock for view tests (domain and service tests pass `now` instead)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch) -> FrozenClock:
    frozen = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(clock, "utc_now", frozen)
    return frozen


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)
