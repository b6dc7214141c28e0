"""The platform as a cluster, across a real network: `make cluster-test` (root, about 3 minutes).

Hosts are network namespaces on one bridge (tests/cluster/network.py): `db` (a PostgreSQL of
the test's own, in its own data directory), `cache` (redis-server), `s3` (moto's server),
`app1` and `app2` (gunicorn with deploy/gunicorn.conf.py), `lb` (Debian's nginx with
deploy/nginx/contest.conf), `sched1` and `sched2` (`flask scheduler`), and `client`, where
this test runs. The database is built by `flask db upgrade` and seeded by bench/seed.py; the
players are the kill -9 fault test's (tests/test_fault_kill_workers.py), its ledger check too.

Checks, in order (each on the cluster the previous ones left):
  a round started through app1 goes on through app2 (the session cookie and CSRF token);
  a rate limit is counted across app hosts (in Redis);
  an upload started on app1 resumes on app2, and the video is processed once;
  of two schedulers exactly one acts; when its host's cable is pulled, the other takes over
    within the lease, and no round is graded twice;
  app1 killed (kill -9, master and workers) under load through nginx loses no acknowledged
    answer or submit;
  the database unreachable for 10 s: requests fail with a 503 and a message, the clients
    retry, nothing acknowledged is lost, the site recovers by itself;
  Redis unreachable: rounds go on.

Everything is removed at the end, on failure too: the processes, the namespaces (with the
bridge and the cables), the data directory. A run killed before that leaves namespaces that
the next run (or `python -m tests.cluster.network sweep`, which the Makefile's trap calls)
removes. Collected only with CLUSTER_TEST=1 (tests/conftest.py).
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from bench import common
from bench.seed import BENCH_PASSWORD, participant_phone
from contest.models import Attempt, AttemptState, Role, User, UserRole, Video, VideoState
from contest.storage import S3Storage
from tests.cluster.network import Network, sweep
from tests.s3_server import FAKE_AWS_ENV
from tests.test_fault_kill_workers import Ledger, Player, Routes, check_ledger, play_under
from tests.test_videos import details
from tests.test_videos_s3 import padded_mp4  # noqa: F401 (a fixture: a two-part MP4)

HOSTS = {
    "db": 2,
    "cache": 3,
    "s3": 4,
    "lb": 10,
    "app1": 11,
    "app2": 12,
    "sched1": 21,
    "sched2": 22,
    "client": 100,
}
APP_HOSTS = ("app1", "app2")
SCHEDULERS = ("sched1", "sched2")
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
APP_PORT, S3_PORT = 8000, 5000
BUCKET = "cluster-videos"
PARTICIPANTS = 64
LEASE_SECONDS = 9  # SCHEDULER_LEASE_SECONDS: kept every 3 s
RAISED_LIMIT = "100000 per minute"
RESET_LIMIT = 4  # forgotten-password requests per account typed, per hour
OUTAGE_SECONDS = 10
# Participants by use: the players, the schedulers' rounds, the one-off checks.
PLAYERS = range(1, 17)
SCHEDULED = range(40, 56)
CROSSING, UPLOADER = 60, 61


@dataclass
class Cluster:
    network: Network
    stack: contextlib.ExitStack
    logs: Path
    env: dict
    database_url: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def base(self, host: str) -> str:
        """The site's address on an app host (gunicorn) or on the balancer (nginx)."""
        port = 80 if host == "lb" else APP_PORT
        return f"http://{self.network.address(host)}:{port}"

    def start(self, host: str, command: list[str], env: dict | None = None) -> None:
        """`command` on `host`, logged to logs/<host>.log, stopped at the end."""
        log = self.logs / f"{host}.log"
        self.processes[host] = common.start_logged(
            self.network.command(host, *command), env or self.env, log, self.stack
        )

    def start_app(self, host: str) -> None:
        gunicorn = [str(common.BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
        self.start(host, gunicorn)

    def log(self, host: str) -> str:
        return (self.logs / f"{host}.log").read_text(errors="replace")

    def engine(self):
        engine = create_engine(self.database_url)
        self.stack.callback(engine.dispose)
        return engine


def wait_until(condition, seconds: float, what: str, step: float = 0.2):
    """Poll `condition` until it returns something true; its value (AssertionError on time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException, psycopg.Error):
            value = condition()
            if value:
                return value
        time.sleep(step)
    raise AssertionError(f"{what}: not within {seconds} s")


def healthy(base: str) -> bool:
    return requests.get(f"{base}/healthz", timeout=3).status_code == 200


def ensure_nginx() -> str:
    """Debian's nginx, installed when missing (the test's only set-up outside the repository)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found:
        return found
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "nginx"]):
        subprocess.run(command, check=True, env=environment, capture_output=True, timeout=600)  # noqa: S603
    return shutil.which("nginx", path="/usr/sbin:/usr/bin")


def nginx_config(cluster: Cluster, directory: Path) -> Path:
    """nginx's main file: the kit's site (deploy/nginx/contest.conf) behind the two app hosts."""
    upstream = "\n".join(
        f"    server {cluster.network.address(host)}:{APP_PORT} max_fails=1 fail_timeout=5s;"
        for host in APP_HOSTS
    )
    kit_upstream = (common.ROOT / "deploy/nginx/upstream.conf").read_text()
    (directory / "upstream.conf").write_text(
        re.sub(r"(?m)^\s*server app\d:8000.*\n", "", kit_upstream).replace(
            "    keepalive", upstream + "\n    keepalive"
        )
    )
    main = directory / "nginx.conf"
    main.write_text(
        f"""user root;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/upstream.conf;
    include {common.ROOT}/deploy/nginx/contest.conf;
}}
"""
    )
    return main


def start_postgres(cluster: Cluster, data: Path) -> None:
    """PostgreSQL in its own data directory on `db`, as the postgres user, trusting the subnet."""
    as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    shutil.chown(data, "postgres", "postgres")
    initdb = [*as_postgres, str(POSTGRES_BIN / "initdb"), "-D", str(data / "pgdata")]
    initdb += ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
    subprocess.run(initdb, check=True, capture_output=True, timeout=120)  # noqa: S603
    with (data / "pgdata/pg_hba.conf").open("a") as hba:
        hba.write("host all all 10.17.0.0/24 trust\n")
    settings = {
        "listen_addresses": cluster.network.address("db"),
        "unix_socket_directories": str(data),
        "max_connections": "100",
        # A client cut off mid-transaction must not keep its row locks for long (README).
        "idle_in_transaction_session_timeout": "20s",
        "tcp_keepalives_idle": "5",
        "tcp_keepalives_interval": "2",
        "tcp_keepalives_count": "3",
    }
    command = [*as_postgres, str(POSTGRES_BIN / "postgres"), "-D", str(data / "pgdata")]
    for name, value in settings.items():
        command += ["-c", f"{name}={value}"]
    cluster.start("db", command)
    postgres = cluster.processes["db"]
    # Before the generic stop: a fast shutdown (SIGINT), which does not wait for clients.
    cluster.stack.callback(lambda: postgres.poll() is None and postgres.send_signal(signal.SIGINT))
    admin = f"postgresql://postgres@{cluster.network.address('db')}:5432/postgres"
    wait_until(lambda: psycopg.connect(admin, connect_timeout=2).close() or True, 30, "PostgreSQL")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("CREATE DATABASE contest")


def prepare_database(cluster: Cluster) -> None:
    """The schema by the platform's own command, the bench seed, one unit admin."""
    common.flask_db_upgrade(cluster.env)
    seed = [sys.executable, "-m", "bench.seed", "--participants", str(PARTICIPANTS)]
    subprocess.run(seed, cwd=common.ROOT, env=cluster.env, check=True, capture_output=True)  # noqa: S603
    with Session(cluster.engine()) as session:
        uploader = session.scalar(select(User).where(User.phone == participant_phone(UPLOADER)))
        session.add(UserRole(user_id=uploader.id, role=Role.UNIT_ADMIN))
        session.commit()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    assert os.geteuid() == 0, "the cluster test makes network namespaces: run it as root"
    nginx = ensure_nginx()
    sweep()
    logs = tmp_path_factory.mktemp("cluster-logs")
    saved_environment = dict(os.environ)
    with contextlib.ExitStack() as stack:
        signal.signal(signal.SIGTERM, common.interrupted)  # a killed run still cleans up
        network = Network(HOSTS)
        stack.callback(network.close)
        network.create()
        network.join("client")
        stack.callback(lambda: (os.environ.clear(), os.environ.update(saved_environment)))
        os.environ.update(FAKE_AWS_ENV)
        data = Path(tempfile.mkdtemp(prefix="cluster-db-"))
        stack.callback(shutil.rmtree, data, ignore_errors=True)
        address = network.address
        database_url = f"postgresql+psycopg://postgres@{address('db')}:5432/contest"
        env = {k: v for k, v in os.environ.items() if k not in ("DEMO", "RUN_SCHEDULER")}
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY="cluster-test-secret",  # the same on every host
            REDIS_URL=f"redis://{address('cache')}:6379/0",
            S3_BUCKET=BUCKET,
            S3_ENDPOINT_URL=f"http://{address('s3')}:{S3_PORT}",
            VIDEO_PART_SIZE=str(5 * common.MIB),
            VIDEO_PROCESSING="thread",
            TRUSTED_PROXIES="1",
            DATABASE_TIMEOUT="2",
            DATABASE_POOL_TIMEOUT="5",
            SCHEDULER_LEASE_SECONDS=str(LEASE_SECONDS),
            LOGIN_RATE_LIMIT=RAISED_LIMIT,
            LOGIN_RATE_LIMIT_PER_ADDRESS=RAISED_LIMIT,
            QUIZ_API_RATE_LIMIT=RAISED_LIMIT,
            PASSWORD_RESET_RATE_LIMIT=f"{RESET_LIMIT} per hour",
            WEB_WORKERS="2",
            WEB_THREADS="4",
            DATABASE_POOL_SIZE="4",
            PYTHONUNBUFFERED="1",
        )
        cluster = Cluster(network, stack, logs, env, database_url)
        start_postgres(cluster, data)
        cluster.start(
            "cache",
            ["redis-server", "--bind", address("cache"), "--port", "6379", "--save", ""]
            + ["--appendonly", "no", "--protected-mode", "no"],
        )
        cluster.start("s3", [str(common.BIN / "moto_server"), "-H", address("s3"), "-p", "5000"])
        prepare_database(cluster)
        wait_until(
            lambda: S3Storage(BUCKET, endpoint_url=env["S3_ENDPOINT_URL"]).ensure_bucket() or 1,
            30,
            "the S3 server",
        )
        for host in APP_HOSTS:
            cluster.start_app(host)
        for host in SCHEDULERS:
            cluster.start(host, [str(common.BIN / "flask"), "--app", "wsgi", "scheduler"])
        nginx_dir = logs / "nginx"
        nginx_dir.mkdir()
        cluster.start(
            "lb", [nginx, "-c", str(nginx_config(cluster, nginx_dir)), "-g", "daemon off;"]
        )
        for host in (*APP_HOSTS, "lb"):
            wait_until(lambda host=host: healthy(cluster.base(host)), 60, f"{host}'s /healthz")
        yield cluster


# -- helpers ------------------------------------------------------------------------------------


def logged_in(routes: Routes, phone: str) -> tuple[requests.Session, dict]:
    """A participant's HTTP session, logged in through the API, and its CSRF header."""
    http = requests.Session()
    url = routes("post", "/session")
    token = http.get(url, timeout=10).json()["csrf_token"]
    reply = http.post(
        url,
        json={"login": phone, "password": BENCH_PASSWORD},
        headers={"X-CSRFToken": token},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return http, {"X-CSRFToken": reply.json()["csrf_token"]}


def carry_cookies(http: requests.Session, to_host: str) -> None:
    """The browser's cookies, sent to another host (the balancer would do this for it)."""
    for cookie in list(http.cookies):
        http.cookies.set(cookie.name, cookie.value, domain=to_host, path=cookie.path)


def graded_counts(log: str) -> list[int]:
    """What a scheduler's log says it graded, one number per sweep that graded anything."""
    return [int(count) for count in re.findall(r"graded (\d+) overdue rounds", log)]


def lease_holder(engine) -> str | None:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT holder FROM scheduler_leases").scalar()


def start_overdue_rounds(cluster: Cluster, routes: Routes, numbers) -> list[int]:
    """Rounds started through the API and then made overdue in the database (the clock moved)."""
    ids = []
    for number in numbers:
        http, headers = logged_in(routes, participant_phone(number))
        reply = http.post(routes("post", "/attempts"), headers=headers, timeout=10)
        assert reply.status_code == 201, reply.text
        ids.append(reply.json()["id"])
    with Session(cluster.engine()) as session:
        past = datetime.now(UTC) - timedelta(minutes=5)
        session.execute(update(Attempt).where(Attempt.id.in_(ids)).values(deadline_at=past))
        session.commit()
    return ids


def expired(cluster: Cluster, ids: list[int]) -> bool:
    with Session(cluster.engine()) as session:
        states = session.scalars(select(Attempt.state).where(Attempt.id.in_(ids))).all()
    return all(state is AttemptState.EXPIRED for state in states)


# -- the checks ---------------------------------------------------------------------------------


def test_a_round_started_on_app1_goes_on_on_app2(cluster):
    app1, app2 = Routes(cluster.base("app1")), Routes(cluster.base("app2"))
    http, headers = logged_in(app1, participant_phone(CROSSING))
    reply = http.post(app1("post", "/attempts"), headers=headers, timeout=10)
    assert reply.status_code == 201, reply.text
    attempt = reply.json()
    questions = attempt["questions"]
    for number, question in enumerate(questions):
        # The first half on app1, the rest on app2 with the same cookie and CSRF token.
        routes = app1 if number < len(questions) // 2 else app2
        if routes is app2 and number == len(questions) // 2:
            carry_cookies(http, cluster.network.address("app2"))
        url = routes("put", "/answers/{}", attempt_id=attempt["id"], question_id=question["id"])
        body = {"choice_id": question["choices"][0]["id"]}
        reply = http.put(url, json=body, headers=headers, timeout=10)
        assert reply.status_code == 200, (routes.server, reply.text)
    page = http.get(f"{cluster.base('app2')}/contests/bench/quiz/", timeout=10)
    assert page.status_code == 200
    assert "/auth/login" not in page.url  # still logged in on the other host
    reply = http.post(
        app2("post", "/submit", attempt_id=attempt["id"]), headers=headers, timeout=10
    )
    assert reply.status_code == 200, reply.text
    with Session(cluster.engine()) as session:
        graded = session.get(Attempt, attempt["id"])
        assert graded.state is AttemptState.SUBMITTED
        assert reply.json()["result"]["correct_count"] == graded.correct_count


def test_the_rate_limit_is_shared_by_the_app_hosts(cluster):
    """RESET_LIMIT forgotten-password requests for one account, spread over both hosts, use
    the account's allowance up: the next one is refused on either host."""
    http = requests.Session()
    page = http.get(f"{cluster.base('app1')}/auth/forgot-password", timeout=10).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    carry_cookies(http, cluster.network.address("app2"))
    form = {"login": participant_phone(PLAYERS[-1] + 1), "csrf_token": token}
    statuses = []
    for number in range(RESET_LIMIT + 1):
        host = APP_HOSTS[number % 2]
        reply = http.post(f"{cluster.base(host)}/auth/forgot-password", data=form, timeout=10)
        statuses.append(reply.status_code)
    # Each host alone saw at most 3 of the 5: only a shared count refuses the fifth.
    assert statuses == [200] * RESET_LIMIT + [429], statuses


def test_an_upload_started_on_app1_resumes_on_app2_and_is_processed_once(cluster, padded_mp4):  # noqa: F811
    app1, app2 = Routes(cluster.base("app1")), Routes(cluster.base("app2"))
    http, headers = logged_in(app1, participant_phone(UPLOADER))
    data = padded_mp4.read_bytes()
    reply = http.post(
        app1("post", "/videos/uploads"), json=details(padded_mp4), headers=headers, timeout=10
    )
    assert reply.status_code == 201, reply.text
    upload = reply.json()
    assert upload["direct"] is True
    assert upload["part_count"] == 2
    video_id, size = upload["video_id"], upload["part_size"]

    def send_part(routes: Routes, number: int) -> None:
        url = routes("post", "/url", video_id=video_id, number=number)
        signed = http.post(url, headers=headers, timeout=10).json()["url"]
        sent = requests.put(signed, data=data[(number - 1) * size : number * size], timeout=60)
        assert sent.status_code == 200

    send_part(app1, 1)
    # The browser closes; the next day it opens the site again and lands on app2.
    carry_cookies(http, cluster.network.address("app2"))
    unfinished = http.get(app2("get", "/videos/uploads"), timeout=10).json()["uploads"]
    (resumed,) = [item for item in unfinished if item["video_id"] == video_id]
    listed = http.get(app2("get", "/videos/uploads/{}", video_id=video_id), timeout=10).json()
    assert [part["number"] for part in listed["parts"]] == [1]
    assert resumed["part_count"] == 2
    send_part(app2, 2)
    url = app2("post", "/complete", video_id=video_id)
    reply = http.post(url, headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text

    def processed():
        with Session(cluster.engine()) as session:
            video = session.get(Video, video_id)
            return (
                video if video.state not in (VideoState.RECEIVED, VideoState.PROCESSING) else None
            )

    video = wait_until(processed, 90, "the video's processing", step=1)
    assert video.state is VideoState.READY, (video.state, video.failure_detail)
    # One claim in all: app2's thread and the schedulers' sweep never both worked on it.
    assert video.processing_attempts == 1


def test_one_scheduler_acts_and_the_other_takes_over_when_its_host_is_cut_off(cluster):
    engine = cluster.engine()
    routes = Routes(cluster.base("lb"))
    holder = wait_until(lambda: lease_holder(engine), 30, "a scheduler holding the lease")
    pids = {host: str(cluster.processes[host].pid) for host in SCHEDULERS}
    (acting,) = [host for host, pid in pids.items() if f":{pid}:" in holder]
    (standby,) = [host for host in SCHEDULERS if host != acting]

    first = start_overdue_rounds(cluster, routes, SCHEDULED[:8])
    wait_until(lambda: expired(cluster, first), 40, "the overdue rounds graded", step=1)
    assert sum(graded_counts(cluster.log(acting))) == len(first)
    assert graded_counts(cluster.log(standby)) == []  # exactly one acts

    cluster.network.link(acting, up=False)
    try:
        cut_at = time.monotonic()
        second = start_overdue_rounds(cluster, routes, SCHEDULED[8:])
        new_holder = wait_until(
            lambda: (h := lease_holder(engine)) and f":{pids[standby]}:" in h and h,
            LEASE_SECONDS * 2,
            "the standby taking the lease over",
        )
        took_over = time.monotonic() - cut_at
        # The holder's last renewal was at most a third of a lease before the cut.
        assert took_over <= LEASE_SECONDS + LEASE_SECONDS / 3 + 2, took_over
        assert new_holder != holder
        wait_until(lambda: expired(cluster, second), 40, "the rounds graded by the standby", 1)
    finally:
        cluster.network.link(acting, up=True)
    # Back on the network, the old holder stands by: no round graded twice, none missed.
    time.sleep(LEASE_SECONDS / 3 + 1)
    assert f":{pids[standby]}:" in lease_holder(engine)
    counts = {host: sum(graded_counts(cluster.log(host))) for host in SCHEDULERS}
    assert counts == {acting: len(first), standby: len(second)}, counts
    print(f"takeover after the cut: {took_over:.1f} s (lease {LEASE_SECONDS} s)")


def test_app1_killed_under_load_loses_no_acknowledged_answer(cluster):
    ledger = Ledger()
    phones = [participant_phone(n) for n in PLAYERS]
    app1 = cluster.processes["app1"]
    killed_at = []

    def kill_app1(stop_at: float) -> None:
        time.sleep((stop_at - time.monotonic()) / 3)
        os.killpg(app1.pid, signal.SIGKILL)  # the master and its workers: the host is gone
        killed_at.append(time.monotonic())

    play_under(Routes(cluster.base("lb")), ledger, phones, 15, kill_app1)
    app1.wait()
    assert killed_at, "app1 was not killed"
    check_ledger(cluster.database_url, ledger)
    assert len(ledger.submits) >= 8, "too little load to prove anything"
    print(f"app1 killed: {len(ledger.submits)} rounds, {ledger.retries} retries")
    cluster.start_app("app1")  # back for the next checks
    wait_until(lambda: healthy(cluster.base("app1")), 60, "app1 again")


def test_the_database_unreachable_for_10_seconds(cluster):
    ledger = Ledger()
    phones = [participant_phone(n) for n in PLAYERS]
    seen: dict[str, object] = {}
    lb = cluster.base("lb")
    submits_before: list[int] = []

    def outage(stop_at: float) -> None:
        time.sleep(3)
        submits_before.append(len(ledger.submits))
        cluster.network.link("db", up=False)
        try:
            started = time.monotonic()
            api = requests.get(f"{lb}/api/v1/contests/bench", timeout=15)
            page = requests.get(f"{lb}/contests/bench/", timeout=15)
            health = requests.get(f"{lb}/healthz", timeout=15)
            seen.update(api=api, page=page, health=health)
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
        finally:
            cluster.network.link("db", up=True)
        seen["back_at"] = time.monotonic()

    play_under(Routes(lb), ledger, phones, OUTAGE_SECONDS + 20, outage)
    api, page, health = seen["api"], seen["page"], seen["health"]
    assert api.status_code == 503, api.text
    assert api.json()["error"] == "database_unavailable"
    assert "cơ sở dữ liệu" in api.json()["message"]
    assert page.status_code == 503
    assert "cơ sở dữ liệu không phản hồi" in page.text
    assert 'http-equiv="refresh"' in page.text  # the page retries by itself
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable"
    # Recovered by itself: every host healthy, and rounds were submitted after the outage.
    for host in (*APP_HOSTS, "lb"):
        assert healthy(cluster.base(host)), host
    assert len(ledger.submits) > submits_before[0]
    check_ledger(cluster.database_url, ledger)
    assert ledger.retries > 0, "no request met the outage: the test proved nothing"
    print(f"database outage: {len(ledger.submits)} rounds, {ledger.retries} retries")


def test_redis_unreachable_the_contest_goes_on(cluster):
    ledger = Ledger()
    lb = cluster.base("lb")
    cluster.network.link("cache", up=False)
    try:
        routes = Routes(lb)
        for number in PLAYERS[:3]:
            with requests.Session() as http:
                Player(routes, ledger, [participant_phone(number)], number).round(
                    http, participant_phone(number)
                )
        for host in APP_HOSTS:
            health = requests.get(f"{cluster.base(host)}/healthz", timeout=10)
            assert health.status_code == 200  # the balancer keeps the hosts in service
            assert health.json()["redis"] == "unreachable"
    finally:
        cluster.network.link("cache", up=True)
    assert len(ledger.submits) == 3
    assert ledger.retries == 0  # nothing refused: no request needed a second try
    check_ledger(cluster.database_url, ledger)
    with Session(cluster.engine()) as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) > 0
