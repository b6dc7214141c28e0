"""The cluster's hosts and what runs on them, for the cluster test and the cluster benchmark.

`running_cluster(logs)` builds the network (tests/cluster/network.py), starts PostgreSQL in a
data directory of its own on `db`, Redis on `cache`, moto's S3 server on `s3`, builds and seeds
the database (`flask db upgrade`, bench/seed.py), starts gunicorn on `app1` and `app2`, the
scheduler on `sched1` and `sched2` and nginx on `lb` (the kit's deploy/ files), joins the test
process to `client`, and removes it all at the end, on failure too.
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
from pathlib import Path

import psycopg
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench import common
from bench.seed import participant_phone
from contest.models import Role, User, UserRole
from contest.storage import S3Storage
from tests.cluster.network import Network, sweep
from tests.s3_server import FAKE_AWS_ENV

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
ALONE_PORT = 81  # nginx in front of app1 alone (the benchmark's)
BUCKET = "cluster-videos"
PARTICIPANTS = 64
LEASE_SECONDS = 9  # SCHEDULER_LEASE_SECONDS: kept every 3 s
RAISED_LIMIT = "100000 per minute"
RESET_LIMIT = 4  # forgotten-password requests per account typed, per hour
UPLOADER = 61  # the participant who is also a unit admin (videos)


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
    # Port {ALONE_PORT}: app1 alone behind the same proxy, so that bench/cluster_load.py can
    # tell the proxy's cost from the second host's gain.
    upstream app1_alone {{
        server {cluster.network.address("app1")}:{APP_PORT};
        keepalive 32;
    }}
    server {{
        listen {ALONE_PORT};
        location / {{
            proxy_pass http://app1_alone;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
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


def prepare_database(cluster: Cluster, participants: int) -> None:
    """The schema by the platform's own command, the bench seed, one unit admin."""
    common.flask_db_upgrade(cluster.env)
    seed = [sys.executable, "-m", "bench.seed", "--participants", str(participants)]
    subprocess.run(seed, cwd=common.ROOT, env=cluster.env, check=True, capture_output=True)  # noqa: S603
    with Session(cluster.engine()) as session:
        uploader = session.scalar(select(User).where(User.phone == participant_phone(UPLOADER)))
        session.add(UserRole(user_id=uploader.id, role=Role.UNIT_ADMIN))
        session.commit()


@contextlib.contextmanager
def running_cluster(logs: Path, participants: int = PARTICIPANTS, **settings) -> Iterator[Cluster]:
    """The whole cluster, its logs in `logs`; `settings` override the hosts' environment."""
    assert os.geteuid() == 0, "the cluster makes network namespaces: run it as root"
    nginx = ensure_nginx()
    sweep()
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
        env.update(settings)
        cluster = Cluster(network, stack, logs, env, database_url)
        start_postgres(cluster, data)
        cluster.start(
            "cache",
            ["redis-server", "--bind", address("cache"), "--port", "6379", "--save", ""]
            + ["--appendonly", "no", "--protected-mode", "no"],
        )
        cluster.start("s3", [str(common.BIN / "moto_server"), "-H", address("s3"), "-p", "5000"])
        prepare_database(cluster, participants)
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
