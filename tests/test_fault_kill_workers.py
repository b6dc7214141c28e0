"""The fault test: gunicorn workers killed under load lose no acknowledged answer or submit.

On a fresh PostgreSQL database built with `flask db upgrade` and seeded by bench/seed.py,
gunicorn serves wsgi:app (2 gthread workers x 4 threads) while client threads play rounds
through the JSON API (log in, start, save every answer, change some, submit) and a killer
SIGKILLs a random worker every few seconds (gunicorn starts another). Clients retry what a
dead worker dropped, as the round page does. Afterwards, in the database:

- every acknowledged answer is stored with the last acknowledged choice (or with a choice sent
  after it whose reply was lost: that request may have been applied before the worker died);
- every acknowledged submit is graded, with the result it acknowledged (nothing graded again
  later), and every graded round's score is the count of its stored right answers.

About 40 s. Runs with TEST_DATABASE_URL (the PostgreSQL pass of `make test`, so `.ci/run`);
marked `postgres` and `fault` (`pytest -m fault` alone).
"""

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench import common
from bench.seed import BENCH_PASSWORD, participant_phone
from contest.models import Answer, Attempt, AttemptState, Choice
from tests.apps import postgres_database
from tests.conftest import TEST_DATABASE_URL

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.fault,
]

PARTICIPANTS = 16
CLIENTS = 8
LOAD_SECONDS = 20
KILLS = 5
RAISED_LIMIT = "100000 per minute"
CONTEST_SLUG = "bench"  # bench/seed.py's contest
# What a worker killed under a request leaves the client with: no answer, or half of one.
# A reply that never came, for whatever reason (a killed worker, or a machine so loaded that the
# read timed out), leaves the request's effect unknown: it is sent again, as a browser would.
BROKEN = (
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.Timeout,
)
# The same seen through a proxy (502, 504), and a database that does not answer (503): the
# round page retries these as well (tests/cluster uses this client behind nginx).
RETRIED_STATUSES = {502, 503, 504}
RETRY_SECONDS = 60


@pytest.fixture
def served(tmp_path) -> Iterator[tuple]:
    """(base URL, database URL, gunicorn): gunicorn on a free port, a fresh seeded database."""
    with ExitStack() as stack:
        url = stack.enter_context(postgres_database(TEST_DATABASE_URL, prefix="fault_test"))
        env = {k: v for k, v in os.environ.items() if k not in ("DEMO", "RUN_SCHEDULER")}
        env.update(
            DATABASE_URL=url,
            SECRET_KEY="fault-test-secret",
            REDIS_URL="",
            LOGIN_RATE_LIMIT=RAISED_LIMIT,
            LOGIN_RATE_LIMIT_PER_ADDRESS=RAISED_LIMIT,
            QUIZ_API_RATE_LIMIT=RAISED_LIMIT,
            VIDEO_PROCESSING="scheduler",
            PYTHONUNBUFFERED="1",
        )
        common.flask_db_upgrade(env)
        seed = [sys.executable, "-m", "bench.seed", "--participants", str(PARTICIPANTS)]
        subprocess.run(seed, cwd=common.ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        port = common.free_port()
        log = tmp_path / "gunicorn.log"
        command = [str(common.BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}"]
        command += ["--worker-class", "gthread", "--workers", "2", "--threads", "4"]
        command += ["--timeout", "30", "--graceful-timeout", "5", "--error-logfile", str(log)]
        server = common.start_logged(command, env, log, stack)
        common.wait_for_http(
            server, port, "/api/v1/openapi.json", log, lambda status: status == 200, "gunicorn"
        )
        yield f"http://127.0.0.1:{port}", url, server


class Routes:
    """The API's paths, read from its live OpenAPI document (so moved routes are followed)."""

    def __init__(self, base: str) -> None:
        document = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()
        self.server = base + document["servers"][0]["url"]
        self.paths = document["paths"]

    def __call__(self, method: str, ending: str, **values) -> str:
        """The URL of the one current (not deprecated) `method` operation whose path ends
        with `ending`."""
        (path,) = [
            path
            for path, operations in self.paths.items()
            if method.lower() in operations
            and not operations[method.lower()].get("deprecated")
            and re.sub(r"\{\w+\}", "{}", path).endswith(ending)
        ]
        values.setdefault("contest_slug", CONTEST_SLUG)
        return self.server + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


@dataclass
class Ledger:
    """What the server acknowledged, and what it may have applied without saying so."""

    answers: dict[tuple[int, int], int] = field(default_factory=dict)  # last acknowledged
    unsure: dict[tuple[int, int], set[int]] = field(default_factory=lambda: defaultdict(set))
    submits: dict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    retries: int = 0


class Player:
    """One client thread: rounds of its participants, retrying what a dead worker dropped."""

    def __init__(self, routes: Routes, ledger: Ledger, phones: list[str], seed: int) -> None:
        self.routes, self.ledger, self.phones = routes, ledger, phones
        self.random = random.Random(seed)

    def send(self, http: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
        """The request, sent again while the connection breaks (a worker died under it) or
        the server says it is briefly unavailable, for up to RETRY_SECONDS."""
        give_up_at = time.monotonic() + RETRY_SECONDS
        while time.monotonic() < give_up_at:
            try:
                reply = http.request(method, url, timeout=15, **kwargs)
            except BROKEN:
                reply = None
            if reply is not None and reply.status_code not in RETRIED_STATUSES:
                return reply
            with self.ledger.lock:
                self.ledger.retries += 1
            time.sleep(0.2)
        raise AssertionError(f"{method} {url}: no answer in {RETRY_SECONDS} s")

    def play(self, stop_at: float) -> None:
        while time.monotonic() < stop_at:
            phone = self.random.choice(self.phones)
            with requests.Session() as http:
                self.round(http, phone)

    def round(self, http: requests.Session, phone: str) -> None:
        session_url = self.routes("post", "/session")
        token = self.send(http, "GET", session_url).json()["csrf_token"]
        login = {"login": phone, "password": BENCH_PASSWORD}
        reply = self.send(http, "POST", session_url, json=login, headers={"X-CSRFToken": token})
        assert reply.status_code == 200, reply.text
        headers = {"X-CSRFToken": reply.json()["csrf_token"]}
        reply = self.send(http, "POST", self.routes("post", "/attempts"), headers=headers)
        if reply.status_code == 409:  # a round left running (or started by a lost reply)
            attempt_id = reply.json()["attempt_id"]
            reply = self.send(
                http, "GET", self.routes("get", "/attempts/{}", attempt_id=attempt_id)
            )
        assert reply.status_code in (200, 201), reply.text
        attempt = reply.json()
        questions = attempt["questions"]
        changed = self.random.sample(questions, len(questions) // 2)
        for question in questions + changed:  # every answer, then half of them changed
            choice = self.random.choice(question["choices"])["id"]
            self.save(http, headers, attempt["id"], question["id"], choice)
        submit = self.routes("post", "/submit", attempt_id=attempt["id"])
        reply = self.send(http, "POST", submit, headers=headers)
        assert reply.status_code == 200, reply.text
        with self.ledger.lock:
            self.ledger.submits[attempt["id"]].append(reply.json())

    def save(self, http, headers: dict, attempt_id: int, question_id: int, choice: int) -> None:
        url = self.routes("put", "/answers/{}", attempt_id=attempt_id, question_id=question_id)
        key = (attempt_id, question_id)
        with self.ledger.lock:
            self.ledger.unsure[key].add(choice)  # sent: it may be stored from now on
        reply = self.send(http, "PUT", url, json={"choice_id": choice}, headers=headers)
        assert reply.status_code == 200, reply.text
        with self.ledger.lock:
            self.ledger.answers[key] = choice
            self.ledger.unsure[key] = set()  # nothing sent after this acknowledgement


def workers_of(master: int) -> list[int]:
    """The gunicorn master's children (its workers), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(entry.name))
    return children


def kill_workers(master: int, stop_at: float, killed: list[int]) -> None:
    """SIGKILL a random worker KILLS times, evenly over the load."""
    interval = (stop_at - time.monotonic()) / (KILLS + 1)
    rng = random.Random(7)
    for _ in range(KILLS):
        time.sleep(interval)
        workers = workers_of(master)
        if workers:
            victim = rng.choice(workers)
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)


def play_under(
    routes: Routes, ledger: Ledger, phones: list[str], seconds: float, fault, clients=CLIENTS
) -> None:
    """`clients` players (each its share of `phones`) for `seconds` while `fault(stop_at)` runs
    beside them; raises what any of them raised."""
    stop_at = time.monotonic() + seconds
    errors: list[BaseException] = []

    def run(target, *args) -> None:
        try:
            target(*args)
        except BaseException as error:  # reported by the test, not lost in a thread
            errors.append(error)

    threads = [
        threading.Thread(
            target=run, args=(Player(routes, ledger, phones[i::clients], i).play, stop_at)
        )
        for i in range(clients)
    ]
    threads.append(threading.Thread(target=run, args=(fault, stop_at)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    assert not errors, errors


def test_killed_workers_lose_no_acknowledged_answer_or_submit(served):
    base, database_url, server = served
    ledger = Ledger()
    phones = [participant_phone(n) for n in range(1, PARTICIPANTS + 1)]
    killed: list[int] = []
    play_under(
        Routes(base),
        ledger,
        phones,
        LOAD_SECONDS,
        lambda stop_at: kill_workers(server.pid, stop_at, killed),
    )
    assert len(killed) == KILLS
    assert ledger.submits, "no round was submitted"
    assert ledger.retries > 0, "no request met a killed worker: the test proved nothing"
    print(f"{len(ledger.submits)} rounds, {len(ledger.answers)} answers, {ledger.retries} retries")

    check_ledger(database_url, ledger)


def check_ledger(database_url: str, ledger: Ledger) -> None:
    """Nothing acknowledged is lost: every acknowledged answer is stored (with the last
    acknowledged choice, or one sent after it), every acknowledged submit graded once with the
    result it acknowledged, every graded round's score the count of its stored right answers."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            stored = {
                (answer.attempt_id, answer.question_id): answer.choice_id
                for answer in session.scalars(select(Answer))
            }
            for key, choice in ledger.answers.items():
                assert stored.get(key) in {choice} | ledger.unsure[key], key
            for attempt_id, replies in ledger.submits.items():
                attempt = session.get(Attempt, attempt_id)
                assert attempt.state is AttemptState.SUBMITTED
                for reply in replies:  # graded once: every reply tells the stored grade
                    assert reply["result"]["correct_count"] == attempt.correct_count
                    assert reply["result"]["duration_ms"] == attempt.duration_ms
            right = dict(
                session.execute(
                    select(Answer.attempt_id, func.count())
                    .join(Choice, Choice.id == Answer.choice_id)
                    .where(Choice.is_correct)
                    .group_by(Answer.attempt_id)
                ).all()
            )
            graded = session.scalars(select(Attempt).where(Attempt.state != AttemptState.ACTIVE))
            for attempt in graded:
                assert attempt.correct_count == right.get(attempt.id, 0), attempt.id
    finally:
        engine.dispose()
