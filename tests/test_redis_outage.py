"""A Redis outage never stops the contest: a real redis-server is stopped and started again.

With `REDIS_URL` set the rate limits live in Redis. While it is down every request still
answers (the limits are counted in the process's memory, and enforced), the outage is logged
once and shown on the organizers' overview, and when Redis is back the limits go to it again.

This test builds an app of its own on a SQLite file of its own (the suite's app keeps memory
limits); the shared limiter is bound back to the suite's app afterwards.
"""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from flask_migrate import upgrade

from contest import create_app
from contest.extensions import db, limiter
from contest.models import Role
from contest.rate_limits import FallbackStorage
from tests.helpers import ApiClient, make_contest, make_questions, make_unit, make_user

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)

RETRY_SECONDS = 0.2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on a free port, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],  # noqa: S607
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def limit_keys(self) -> list[bytes]:
        client = redis.Redis.from_url(self.url)
        try:
            return client.keys("LIMITS*")
        finally:
            client.close()


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_app(request, redis_server, tmp_path):
    suite_app = request.getfixturevalue("app")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "redis-outage-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'outage.db'}",
            "REDIS_URL": redis_server.url,
            "RATELIMIT_STORAGE_OPTIONS": {"retry_seconds": RETRY_SECONDS},
            "LOGIN_RATE_LIMIT": "3 per minute",
            "QUIZ_API_RATE_LIMIT": "1000 per minute",
            "MEDIA_DIR": str(tmp_path / "media"),
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    limiter.init_app(suite_app)  # the shared limiter counts in the suite's memory again


def test_the_limits_are_in_redis_with_a_memory_fallback(redis_app, redis_server):
    with redis_app.app_context():
        assert isinstance(limiter.storage, FallbackStorage)
        assert limiter.storage.check()


def test_a_redis_outage_never_stops_the_contest(redis_app, redis_server, caplog):
    caplog.set_level(logging.WARNING, logger="contest.rate_limits")
    with redis_app.app_context():
        make_questions(25)
        make_contest(max_attempts_total=5)
        player = make_user(unit=make_unit())
        organizer = make_user(Role.ORGANIZER)
        db.session.commit()
    api = ApiClient(redis_app.test_client())
    organizer_client = ApiClient(redis_app.test_client())
    api.login(player)
    assert api.get("/contest").status_code == 200
    assert redis_server.limit_keys()  # counted in Redis
    storage = limiter.storage

    redis_server.stop()
    # Every step of a round still answers while Redis is down.
    assert api.get("/contest").status_code == 200
    attempt = api.post("/attempts").get_json()
    assert attempt["state"] == "active"
    for question in attempt["questions"]:
        save = api.put(
            f"/attempts/{attempt['id']}/answers/{question['id']}",
            json={"choice_id": question["choices"][0]["id"]},
        )
        assert save.status_code == 200, save.get_json()
    assert api.post(f"/attempts/{attempt['id']}/submit").status_code == 200
    assert storage.down_since is not None

    # A fresh login, and the limits still hold: from memory, per account typed.
    organizer_client.login(organizer)
    for _ in range(3):
        wrong = api.post("/session", json={"login": "0999999999", "password": "sai"})
        assert wrong.status_code == 401
    assert api.post("/session", json={"login": "0999999999", "password": "x"}).status_code == 429

    # The organizers see it on their overview.
    overview = organizer_client.client.get("/organizer/")
    assert overview.status_code == 200
    assert 'id="rate-limit-outage"' in overview.get_data(as_text=True)

    # Logged once for the whole outage, not once per request.
    outages = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(outages) == 1

    redis_server.start()
    assert redis_server.limit_keys() == []  # a new, empty Redis
    deadline = time.monotonic() + 10
    while storage.down_since is not None and time.monotonic() < deadline:
        time.sleep(RETRY_SECONDS)
        assert api.get("/contest").status_code == 200
    assert storage.down_since is None
    assert api.get("/contest").status_code == 200
    assert redis_server.limit_keys()  # counted in Redis again
    assert len([r for r in caplog.records if "answers again" in r.getMessage()]) == 1
    overview = organizer_client.client.get("/organizer/")
    assert 'id="rate-limit-outage"' not in overview.get_data(as_text=True)
