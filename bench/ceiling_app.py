"""The ceiling: a minimal Flask app whose one endpoint inserts one row and commits.

bench/quiz_load.py serves it with the same gunicorn settings, on the same database, as the
platform, and compares the platform's save-answer throughput with this one's. It mirrors what
the platform does with its database and no more: one SQLAlchemy engine (one connection pool
per worker, SQLAlchemy's defaults as Flask-SQLAlchemy uses them) and, on SQLite, the same
PRAGMAs (WAL, synchronous=NORMAL, busy_timeout). The table is created by `create_table`
(bench/seed.py calls it), never by the workers.

    DATABASE_URL=... .venv/bin/gunicorn 'bench.ceiling_app:create_app()'
"""

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, Table, create_engine, event

from contest.setup import tune_sqlite_connection

metadata = MetaData()
hits = Table(
    "bench_ceiling_hits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("client", Integer, nullable=False),
    Column("choice_id", Integer, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
)


def make_engine(url: str) -> Engine:
    """An engine configured as the platform's (contest/setup.py) for the same URL."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", tune_sqlite_connection)
        return engine
    return create_engine(url)


def create_table(url: str) -> None:
    """Create the ceiling's table in the bench database."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app(url: str | None = None) -> Flask:
    """The ceiling app on DATABASE_URL (or `url`)."""
    engine = make_engine(url or os.environ["DATABASE_URL"])
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return jsonify(ok=True)

    @app.put("/hits/<int:client>")
    def hit(client: int):
        body = request.get_json(silent=True)
        choice_id = body.get("choice_id") if isinstance(body, dict) else None
        if not isinstance(choice_id, int):
            return jsonify(error="invalid_choice"), 422
        now = datetime.now(UTC)
        with engine.begin() as connection:
            result = connection.execute(
                hits.insert().values(client=client, choice_id=choice_id, saved_at=now)
            )
        return jsonify(id=result.inserted_primary_key[0], choice_id=choice_id)

    return app
