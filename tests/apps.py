"""Apps and databases of a test's own, beside the suite's `app` fixture and its patched session.

For tests that need real commits on real connections: migrations, races, a served app.
"""

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from contest import create_app
from contest.extensions import db, limiter


@contextmanager
def postgres_database(server_url: str, prefix: str = "migration_test") -> Iterator[str]:
    """A throwaway database on the server of `server_url`, dropped afterwards."""
    url = make_url(server_url)
    name = f"{prefix}_{os.getpid()}"
    admin = sa.create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))  # a crashed run's
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def own_app(database_url: str, instance_path, **config) -> Iterator[Flask]:
    """An app of the test's own on `database_url`, inside its app context.

    create_app rebinds the shared rate limiter's storage, and env.py's fileConfig resets the
    logging setup: both are put back afterwards, and the app's engine is disposed.
    """
    limiter_state = dict(vars(limiter))
    loggers = [
        logging.getLogger(name)
        for name in ("", "sqlalchemy", "sqlalchemy.engine", "alembic", "flask_migrate")
    ]
    logging_state = [
        (logger, logger.level, list(logger.handlers), logger.propagate, logger.disabled)
        for logger in loggers
    ]
    try:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": database_url,
                "RATELIMIT_STORAGE_URI": "memory://",
                "MEDIA_DIR": str(instance_path / "media"),
                **config,
            }
        )
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()  # gives its connection back, so that dispose closes it
                db.engine.dispose()
    finally:
        vars(limiter).clear()
        vars(limiter).update(limiter_state)
        for logger, level, handlers, propagate, disabled in logging_state:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
            logger.disabled = disabled
