"""Load benchmark of the quiz API under gunicorn, on SQLite and on PostgreSQL.

Run from the repository root (about 7 minutes for both databases with the defaults):

    .venv/bin/python bench/quiz_load.py [--database sqlite|postgres|both] [--clients 64]
                                        [--duration 60] [--participants N]

For each database it builds a throwaway database (an SQLite file in a temporary folder, WAL
as the platform sets it, or a fresh PostgreSQL database on 127.0.0.1:5432), migrates it with
`flask --app wsgi db upgrade`, seeds it (bench/seed.py: participants in the 46 units, the
question bank, a contest open now with no attempt limits and one-hour rounds), serves
`wsgi:app` with gunicorn on a free port of 127.0.0.1 and drives it with locust (headless,
FastHttpUser, bench/locustfile.py). Three phases, each measured over --duration seconds
once every client is ready (the warm-up, when clients log in, is not in the window):

  journey   each client logs in once (its own account), then plays rounds in a loop:
            GET contest, POST attempts, 10 x PUT answer, POST submit, and every 5th round
            GET leaderboard. Gives rounds/s and p50/p95/p99 per request type.
  save      each client logs in and starts one round, then only changes answers of it.
            Gives the platform's save-answer throughput.
  ceiling   bench/ceiling_app.py, same gunicorn settings, same database, same number of
            clients: a minimal Flask endpoint that inserts one row and commits. The ratio
            save / ceiling tells how much of the possible write throughput the app reaches.

Clients wait for nothing between requests: --clients is the number of requests always in
flight (--think-time T adds pauses to the journey, to see latencies below saturation).
Rate limits are raised (not disabled) so that the limiter's cost, in Redis when it answers on
127.0.0.1:6379 (--redis-url), stays in the measurement. An error is any response other than
the expected one (login 200, start 201, save 200, submit 200 with a result, reads 200).
The CPU used in each window by gunicorn, locust, PostgreSQL and other processes is printed:
the machine has 2 cores, and other work on it lowers the figures. --py-spy samples the
workers in the save and ceiling phases and prints where their CPU time goes.

gunicorn settings (the same for the platform and the ceiling): gthread, 2 workers (one per
core) x 4 threads, backlog 2048, no access log. On this 2-core machine, 2 x 4 gthread gave
the best save and ceiling throughput on PostgreSQL (threads overlap database round trips)
and was within noise of the best on SQLite; sync workers (2, 4 or 6) and 2 x 8 or 4 x 2
gthread were slower or had longer tails. Try others with --worker-class/--workers/--threads.

Everything it starts is stopped and the PostgreSQL database dropped at the end, on error and
on Ctrl+C. Results (locust CSV files and a JSON summary) go to bench/results/RUN/, unless
--no-save. Needs locust and py-spy (bench/requirements.txt), installed into the running
virtualenv when missing. bench/profile_requests.py shows where a request's time goes.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script (bench/quiz_load.py): find the bench package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import common  # noqa: E402
from bench.common import BIN, RESULTS, ROOT, BenchError  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "locustfile.py"

PASSWORD = "bench-pass"  # noqa: S105 (throwaway accounts of a throwaway database)
PHONE_PREFIX = "097"

# gunicorn settings for 2 cores, the same for the platform and the ceiling (see --help).
WORKER_CLASS = "gthread"
WORKERS = 2
THREADS = 4
RAISED_LIMIT = "100000 per minute"

JOURNEY_LINES = ["login", "start", "save answer", "submit", "contest", "leaderboard"]
WARM_UP_LINES = ["login", "csrf token"]  # requests of the warm-up only (see locustfile.py)

# The layers of a save-answer request: (label, file path ending, function name). Used for
# py-spy's samples here (--py-spy) and for cProfile's in bench/profile_requests.py.
LAYERS = [
    ("whole request (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
    ("  session cookie: open", "flask/sessions.py", "open_session"),
    ("  session cookie: save", "flask/sessions.py", "save_session"),
    ("  CSRF check", "flask_wtf/csrf.py", "protect"),
    ("  Flask-Login: load user", "flask_login/login_manager.py", "_load_user"),
    ("  Flask-Limiter: checks", "flask_limiter/_extension.py", "_check_request_limit"),
    ("  view: save_answer", "contest/api/views.py", "save_answer"),
    ("    _own_attempt (load round)", "contest/api/views.py", "_own_attempt"),
    ("    quiz.save_answer", "contest/quiz/services.py", "save_answer"),
    ("    session.commit", "sqlalchemy/orm/session.py", "commit"),
    ("    jsonify", "flask/json/__init__.py", "jsonify"),
    ("  teardown: session.remove", "sqlalchemy/orm/scoping.py", "remove"),
    ("SQLAlchemy ORM: execute (all)", "sqlalchemy/orm/session.py", "_execute_internal"),
    ("SQLAlchemy Core: execute (all)", "sqlalchemy/engine/base.py", "_execute_context"),
    ("psycopg: cursor.execute", "psycopg/cursor.py", "execute"),
    ("Redis client (rate limits)", "redis/client.py", "execute_command"),
]


def parse_args() -> argparse.Namespace:
    parser = common.option_parser("the quiz API under load")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured per phase")
    parser.add_argument(
        "--participants", type=int, default=None, help="accounts seeded (default max(2000, 2N))"
    )
    parser.add_argument(
        "--phases", default="journey,save,ceiling", help="comma-separated subset to run"
    )
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=8,
        help="clients started (logging in) per second during the warm-up; a login hashes the"
        " password with scrypt (~0.1 s of CPU), so faster starts only queue logins",
    )
    parser.add_argument(
        "--think-time",
        type=float,
        default=0,
        help="journey phase only: mean seconds a participant pauses before each request",
    )
    parser.add_argument("--worker-class", default=WORKER_CLASS, choices=["gthread", "sync"])
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS, help="per worker (gthread)")
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="maintenance database used to create and drop the bench database",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="rate-limit storage; '' for per-worker memory",
    )
    common.add_wait_quiet_option(parser, "phase")
    parser.add_argument(
        "--py-spy",
        action="store_true",
        help="sample the workers with py-spy in the save and ceiling phases (needs ptrace rights)",
    )
    parser.add_argument("--no-save", action="store_true", help="write nothing to bench/results")
    args = parser.parse_args()
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(args.phases) - {"journey", "save", "ceiling"}
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if args.participants is None:
        args.participants = max(2000, 2 * args.clients)
    if args.participants < 2 * args.clients:
        parser.error("--participants must be at least twice --clients (one account each phase)")
    if args.clients < 1 or args.duration <= 0 or args.spawn_rate <= 0:
        parser.error("--clients, --duration and --spawn-rate must be positive")
    return args


def ensure_tools() -> None:
    """Install bench/requirements.txt into this virtualenv when locust or py-spy is missing."""
    if (BIN / "locust").exists() and (BIN / "py-spy").exists():
        return
    print("locust or py-spy is missing: installing bench/requirements.txt ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-r", str(ROOT / "bench/requirements.txt")],
        check=True,
    )


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def percentile(histogram: dict[int, int], total: int, fraction: float) -> int | None:
    """Nearest-rank percentile of locust's response-time histogram (ms -> count)."""
    if not total:
        return None
    rank, seen = fraction * total, 0
    for milliseconds in sorted(histogram):
        seen += histogram[milliseconds]
        if seen >= rank:
            return milliseconds
    return max(histogram)


def summarize_window(report: dict) -> dict:
    """Per request line: count, failures, requests/s, p50/p95/p99/max in ms."""
    window = report["window_seconds"]
    lines = {}
    for line in report["lines"]:
        histogram = {int(ms): n for ms, n in line["response_times"].items()}
        total = sum(histogram.values())
        lines[line["name"]] = {
            "method": line["method"],
            "count": line["num_requests"],
            "failures": line["num_failures"],
            "rps": line["num_requests"] / window,
            "p50": percentile(histogram, total, 0.50),
            "p95": percentile(histogram, total, 0.95),
            "p99": percentile(histogram, total, 0.99),
            "max": round(line["max_response_time"]) if total else None,
        }
    cpu, wall = report["cpu_seconds"], report["window_seconds"]
    return {
        "window_seconds": window,
        "clients": report["users"],
        "lines": lines,
        "errors": report["errors"],
        "failures": sum(line["failures"] for line in lines.values()),
        "warm_up_failures": report["warm_up_failures"],
        "cpu_percent": {
            "machine_busy_of_all_cores": 100 * cpu["machine_busy"] / cpu["machine_wall"],
            "locust_of_one_core": 100 * cpu["locust"] / wall,
            "gunicorn_of_one_core": 100 * cpu["server"] / wall,
            "postgres_of_one_core": 100 * cpu["postgres"] / wall,
            "others_of_one_core": 100
            * (cpu["machine_busy"] - cpu["server"] - cpu["locust"] - cpu["postgres"])
            / wall,
        },
    }


class Bench:
    """One run: its temporary folder, its settings, and everything to stop at the end."""

    def __init__(self, args: argparse.Namespace, stack: contextlib.ExitStack) -> None:
        self.args = args
        self.stack = stack
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-quiz-"))
        stack.callback(shutil.rmtree, self.tmp, ignore_errors=True)
        self.run_id = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        self.out = self.tmp if args.no_save else RESULTS / self.run_id
        self.out.mkdir(parents=True, exist_ok=True)
        self.redis_url = args.redis_url if args.redis_url and reachable(args.redis_url) else ""
        if args.redis_url and not self.redis_url:
            print(f"Redis does not answer at {args.redis_url}: rate limits kept in memory.")

    # -- settings ---------------------------------------------------------------------------

    def gunicorn_settings(self) -> list[str]:
        args = self.args
        settings = ["--worker-class", args.worker_class, "--workers", str(args.workers)]
        if args.worker_class == "gthread":
            settings += ["--threads", str(args.threads)]
        return settings + ["--backlog", "2048", "--timeout", "60", "--graceful-timeout", "5"]

    def describe_settings(self) -> str:
        args = self.args
        threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
        return (
            f"gunicorn {args.worker_class}, {args.workers} workers{threads}, backlog 2048, "
            f"no access log; rate limits '{RAISED_LIMIT}' "
            f"({'Redis ' + self.redis_url if self.redis_url else 'memory'})"
        )

    def server_env(self, database_url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DEMO", "RUN_SCHEDULER")}
        env.update(
            DATABASE_URL=database_url,
            SECRET_KEY=secrets.token_hex(32),
            REDIS_URL=self.redis_url,
            LOGIN_RATE_LIMIT=RAISED_LIMIT,
            LOGIN_RATE_LIMIT_PER_ADDRESS=RAISED_LIMIT,
            QUIZ_API_RATE_LIMIT=RAISED_LIMIT,
            RATELIMIT_ENABLED="1",
            TRUSTED_PROXIES="0",
            PYTHONUNBUFFERED="1",
        )
        return env

    # -- databases --------------------------------------------------------------------------

    def create_database(self, kind: str) -> str:
        """A fresh database; its removal is registered. Returns its SQLAlchemy URL."""
        if kind == "sqlite":
            return f"sqlite:///{self.tmp / 'bench.db'}"
        name = f"bench_quiz_{os.getpid()}"
        admin = self.args.postgres_url
        common.postgres_admin(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        common.postgres_admin(admin, f"CREATE DATABASE {name}")
        self.stack.callback(common.drop_database, admin, name)
        parts = urlsplit(admin)
        return f"postgresql+psycopg://{parts.netloc}/{name}"

    def prepare(self, database_url: str) -> None:
        """Migrate with the platform's own command, then seed."""
        env = self.server_env(database_url)
        common.flask_db_upgrade(env)
        command = [sys.executable, "-m", "bench.seed", "--participants"]
        command += [str(self.args.participants), "--password", PASSWORD]
        command += ["--phone-prefix", PHONE_PREFIX]
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise BenchError(f"bench.seed failed:\n{done.stderr[-3000:]}")
        if done.stdout.strip():
            print("  " + done.stdout.strip().splitlines()[-1])

    # -- processes --------------------------------------------------------------------------

    def start_server(self, target: str, database_url: str, label: str, health: str) -> tuple:
        """gunicorn TARGET on a free port of 127.0.0.1; returns (process, port) once it answers."""
        port = common.free_port()
        log = self.out / f"{label}-gunicorn.log"
        command = [str(BIN / "gunicorn"), target, "--bind", f"127.0.0.1:{port}"]
        command += self.gunicorn_settings() + ["--error-logfile", str(log), "--chdir", str(ROOT)]
        process = common.start_logged(command, self.server_env(database_url), log, self.stack)
        common.wait_for_http(process, port, health, log, lambda status: status == 200, "gunicorn")
        return process, port

    def run_locust(
        self,
        user_class: str,
        host: str,
        server_pid: int,
        label: str,
        first: int,
        profile: bool = False,
    ) -> dict:
        """One measured phase against the site at `host` (server_pid: the process tree whose CPU
        is measured); returns the summarized window (and py-spy's, with `profile`)."""
        args = self.args
        busy_before = common.wait_until_quiet(args.wait_quiet)
        report_path = self.tmp / f"{label}-window.json"
        warm_up_limit = 30 + 3 * args.clients / args.spawn_rate
        hard_limit = int(warm_up_limit + args.duration + 5)
        command = [
            str(BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            host,
            "-u",
            str(args.clients),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{hard_limit}s",
            "--csv",
            str(self.out / label),
            "--only-summary",
            "--exit-code-on-error",
            "0",
            "--measure-seconds",
            str(args.duration),
            "--first-participant",
            str(first),
            "--phone-prefix",
            PHONE_PREFIX,
            "--password",
            PASSWORD,
            "--window-report",
            str(report_path),
            "--server-pid",
            str(server_pid),
            "--gate-file",
            str(self.tmp / f"{label}.gate"),
            "--think-time",
            str(args.think_time),
            "--max-requests",
            str(int(20_000 * hard_limit)),  # far above what 2 cores serve: only a safety bound
            user_class,
        ]
        log = self.out / f"{label}-locust.log"
        process = common.start_logged(command, None, log)
        spy = None
        try:
            if profile:
                spy = self.start_py_spy(process, server_pid, label, hard_limit)
            process.wait(timeout=hard_limit + 60)
        except subprocess.TimeoutExpired:
            pass
        finally:
            common.stop_process(process, timeout=10)
            if spy is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    spy.wait(timeout=30)
                common.stop_process(spy)
        if not report_path.exists():
            raise BenchError(
                f"locust wrote no report: not every client got ready in {warm_up_limit:.0f} s,"
                " or the run hit its request bound"
                f":\n{common.tail(log)}"
            )
        summary = summarize_window(json.loads(report_path.read_text()))
        summary["machine_busy_before_percent"] = busy_before
        if profile:
            summary["py_spy"] = summarize_py_spy(self.out / f"{label}.pyspy.txt")
            if not summary["py_spy"]["samples"]:  # say why, not just leave the profile out
                said = common.tail(self.out / f"{label}.pyspy.log", 40).splitlines()
                errors = [line for line in said if line.startswith("Error")]  # not its backtrace
                summary["py_spy"]["failure"] = "\n".join(errors or said[-3:]) or "nothing"
        return summary

    def start_py_spy(self, locust, server_pid: int, label: str, limit: float):
        """Once the window opens, sample the server's workers (CPU: GIL holders) for its length."""
        gate, deadline = self.tmp / f"{label}.gate", time.monotonic() + limit
        while not gate.exists():
            if locust.poll() is not None or time.monotonic() > deadline:
                return None
            time.sleep(0.1)
        command = [str(BIN / "py-spy"), "record", "--pid", str(server_pid), "--subprocesses"]
        command += ["--gil", "--nonblocking", "--rate", "100", "--format", "raw", "--nolineno"]
        command += ["--full-filenames", "--duration", str(max(1, int(self.args.duration) - 1))]
        command += ["--output", str(self.out / f"{label}.pyspy.txt")]
        return common.start_logged(command, None, self.out / f"{label}.pyspy.log", self.stack)

    # -- one database -----------------------------------------------------------------------

    def run_database(self, kind: str) -> dict:
        args = self.args
        print(f"\n=== {kind}: {args.clients} clients, {args.duration:g} s per phase ===")
        started = time.monotonic()
        url = self.create_database(kind)
        self.prepare(url)
        print(f"  database ready in {time.monotonic() - started:.1f} s")
        phases: dict[str, dict] = {}
        app_phases = [p for p in ("journey", "save") if p in args.phases]
        if app_phases:
            server, port = self.start_server("wsgi:app", url, f"{kind}-app", "/api/v1/session")
            for offset, phase in enumerate(app_phases):
                user_class = "JourneyUser" if phase == "journey" else "SaveAnswerUser"
                first = 1 + offset * args.clients  # fresh accounts for every phase
                profile = args.py_spy and phase == "save"
                phases[phase] = self.run_locust(
                    user_class,
                    f"http://127.0.0.1:{port}",
                    server.pid,
                    f"{kind}-{phase}",
                    first,
                    profile,
                )
                print_phase(kind, phase, phases[phase])
            common.stop_process(server)
        if "ceiling" in args.phases:
            server, port = self.start_server(
                "bench.ceiling_app:create_app()", url, f"{kind}-ceiling", "/health"
            )
            phases["ceiling"] = self.run_locust(
                "CeilingUser",
                f"http://127.0.0.1:{port}",
                server.pid,
                f"{kind}-ceiling",
                1,
                args.py_spy,
            )
            print_phase(kind, "ceiling", phases["ceiling"])
            common.stop_process(server)
        return {
            "database": kind,
            "code_fingerprint": common.code_fingerprint(),
            "phases": phases,
            **derived(phases),
        }


def summarize_py_spy(path: Path) -> dict:
    """Share of py-spy's samples (CPU time while holding the GIL) per layer and leaf function."""
    total, layers, leaves = 0, dict.fromkeys((label for label, _, _ in LAYERS), 0), {}
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return {"samples": 0}
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_frame(frame) for frame in stack.split(";")]
        for label, path_end, name in LAYERS:
            if any(_is(frame, path_end, name) for frame in frames):
                layers[label] += samples
        leaf = f"{frames[-1][0]} ({_short(frames[-1][1])})"
        leaves[leaf] = leaves.get(leaf, 0) + samples
    if not total:
        return {"samples": 0}
    top = sorted(leaves.items(), key=lambda item: -item[1])[:15]
    return {
        "samples": total,
        "layers_percent": {label: 100 * n / total for label, n in layers.items()},
        "top_leaf_functions_percent": {name: 100 * n / total for name, n in top},
    }


def _is(frame: tuple[str, str], path_end: str, name: str) -> bool:
    function, filename = frame
    return filename.endswith(path_end) and (function == name or function.endswith("." + name))


def _frame(frame: str) -> tuple[str, str]:
    """py-spy's 'function (file)' as (function, file)."""
    name, _, rest = frame.partition(" (")
    return name, rest.rstrip(")")


def _short(filename: str) -> str:
    marker = "site-packages/"
    return filename.split(marker, 1)[1] if marker in filename else filename.replace(f"{ROOT}/", "")


def derived(phases: dict) -> dict:
    """Rounds/s, the save-only and ceiling throughputs, their ratio, the error total."""
    journey, save, ceiling = (phases.get(name) for name in ("journey", "save", "ceiling"))
    result: dict = {
        "errors": sum(p["failures"] + sum(p["warm_up_failures"].values()) for p in phases.values())
    }
    if journey:
        submits = journey["lines"].get("submit", {})
        result["rounds_per_second"] = (submits.get("count", 0) - submits.get("failures", 0)) / (
            journey["window_seconds"]
        )
        result["journey_rps"] = sum(
            line["rps"] for name, line in journey["lines"].items() if name not in WARM_UP_LINES
        )
    if save:
        result["save_only_rps"] = save["lines"].get("save answer", {}).get("rps", 0.0)
    if ceiling:
        result["ceiling_rps"] = ceiling["lines"].get("ceiling insert", {}).get("rps", 0.0)
    if save and ceiling and result["ceiling_rps"]:
        result["ratio"] = result["save_only_rps"] / result["ceiling_rps"]
    return result


def _ms(value) -> str:
    return "-" if value is None else str(value)


def _percentiles(line: dict | None) -> str:
    if line is None:
        return "-"
    return "/".join(_ms(line[key]) for key in ("p50", "p95", "p99"))


def print_phase(kind: str, phase: str, summary: dict) -> None:
    print(f"\n  {kind} / {phase}: {summary['window_seconds']:.1f} s window")
    columns = ("count", 8), ("req/s", 9), ("p50", 7), ("p95", 7), ("p99", 7), ("max", 7)
    print(f"  {'request':<14}" + "".join(f"{n:>{w}}" for n, w in columns) + f"{'err':>6}")
    for name, line in sorted(summary["lines"].items()):
        if not line["count"] and not line["failures"]:
            continue
        print(
            f"  {name:<14}{line['count']:>8}{line['rps']:>9.1f}{_ms(line['p50']):>7}"
            f"{_ms(line['p95']):>7}{_ms(line['p99']):>7}{_ms(line['max']):>7}"
            f"{line['failures']:>6}"
        )
    cpu, busy = summary["cpu_percent"], summary.get("machine_busy_before_percent")
    if busy is not None:
        note = " (other processes were running: figures may be low)" if busy >= 15 else ""
        print(f"  machine busy just before the phase: {busy:.0f}% of 2 cores{note}")
    print(
        f"  CPU: machine {cpu['machine_busy_of_all_cores']:.0f}% of 2 cores busy; of one core:"
        f" gunicorn {cpu['gunicorn_of_one_core']:.0f}%, locust {cpu['locust_of_one_core']:.0f}%,"
        f" postgres {cpu['postgres_of_one_core']:.0f}%, other processes"
        f" {cpu['others_of_one_core']:.0f}%"
    )
    if summary["warm_up_failures"]:
        print(f"  warm-up failures: {summary['warm_up_failures']}")
    for error in summary["errors"][:5]:
        what = f"{error['method']} {error['name']}: {error['error'][:160]}"
        print(f"  error x{error['count']}: {what}")
    spy = summary.get("py_spy")
    if spy and not spy["samples"]:
        print("  py-spy: no samples; the figures above stand. Attaching needs ptrace rights")
        print("  (root, CAP_SYS_PTRACE, or kernel.yama.ptrace_scope=0). py-spy said:")
        print("    " + spy["failure"].replace("\n", "\n    "))
    elif spy:
        print(f"  py-spy: {spy['samples']} samples of the workers holding the GIL (CPU time)")
        for label, share in spy["layers_percent"].items():
            print(f"    {label:<36}{share:5.1f}%")
        print("  py-spy: top leaf functions (self time)")
        for name, share in spy["top_leaf_functions_percent"].items():
            print(f"    {share:5.1f}%  {name}")
    if phase == "journey" and "login" in summary["lines"]:
        print("  (login: measured during the warm-up, clients arriving at the spawn rate)")


def print_summary(bench: Bench, results: list[dict]) -> None:
    args = bench.args
    print(f"\n=== Summary: {args.clients} clients, {args.duration:g} s windows ===")
    print(f"{bench.describe_settings()}")
    columns = ("rounds/s", 9), ("journey req/s", 14), ("save/s", 9), ("ceiling/s", 11)
    print(
        f"\n{'database':<10}"
        + "".join(f"{name:>{width}}" for name, width in columns)
        + f"{'ratio':>7}{'errors':>8}"
    )
    for result in results:
        print(
            f"{result['database']:<10}{result.get('rounds_per_second', 0):>9.1f}"
            f"{result.get('journey_rps', 0):>14.1f}"
            f"{result.get('save_only_rps', 0):>9.1f}{result.get('ceiling_rps', 0):>11.1f}"
            f"{result.get('ratio', 0):>7.2f}{result['errors']:>8}"
        )
    print("\np50 / p95 / p99 ms in the journey phase (save-only: the save phase)")
    header = "".join(f"{name:>17}" for name in [*JOURNEY_LINES, "save-only"])
    print(f"{'database':<10}{header}")
    for result in results:
        journey = result["phases"].get("journey", {}).get("lines", {})
        cells = [journey.get(name) for name in JOURNEY_LINES]
        cells.append(result["phases"].get("save", {}).get("lines", {}).get("save answer"))
        row = "".join(f"{_percentiles(cell):>17}" for cell in cells)
        print(f"{result['database']:<10}{row}")
    if len({result["code_fingerprint"] for result in results}) > 1:
        print("\nNote: the platform's code changed during the run (code_fingerprint differs).")
    print("\nTargets: save/ceiling >= 0.70, every request type p99 <= 150 ms")
    for result in results:
        verdicts = []
        if "ratio" in result:
            ok = result["ratio"] >= 0.7
            verdicts.append(f"ratio {result['ratio']:.2f} {'met' if ok else 'MISSED'}")
        journey = result["phases"].get("journey", {}).get("lines", {})
        slow = [
            f"{name} {journey[name]['p99']} ms"
            for name in JOURNEY_LINES
            if journey.get(name, {}).get("p99") is not None and journey[name]["p99"] > 150
        ]
        if journey:
            verdicts.append("p99 met" if not slow else "p99 MISSED: " + ", ".join(slow))
        print(f"  {result['database']}: " + "; ".join(verdicts))
        if result.get("journey_rps") and not args.think_time:
            print(
                f"    (closed loop: {args.clients} requests always in flight at"
                f" {result['journey_rps']:.0f} req/s make a mean latency of"
                f" {1000 * args.clients / result['journey_rps']:.0f} ms (Little's law); a p99 of"
                f" 150 ms needs well over {args.clients / 0.15:.0f} req/s)"
            )


def main() -> int:
    args = parse_args()
    ensure_tools()
    signal.signal(signal.SIGINT, common.interrupted)
    signal.signal(signal.SIGTERM, common.interrupted)
    results: list[dict] = []
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        bench = Bench(args, stack)
        print(f"Settings: {bench.describe_settings()}")
        code = common.code_fingerprint()
        print(f"Platform code fingerprint: {code} (sha256 of contest/*.py, wsgi.py)")
        pause = f"{args.think_time:g} s think time in the journey" if args.think_time else "none"
        print(
            f"Load: locust, {args.clients} FastHttpUser clients (pauses: {pause}), spawn rate "
            f"{args.spawn_rate:g}/s; {args.participants} participants seeded"
        )
        kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]

        def run_all() -> None:
            for kind in kinds:
                results.append(bench.run_database(kind))

        try:
            status = common.guarded(run_all)
        finally:
            if results:
                print_summary(bench, results)
                if not args.no_save:
                    summary = {
                        "run": bench.run_id,
                        "settings": bench.describe_settings(),
                        "code_fingerprint": common.code_fingerprint(),
                        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                        "arguments": dict(vars(args)),
                        "results": results,
                    }
                    (bench.out / "summary.json").write_text(json.dumps(summary, indent=2))
                    print(f"\nResults: {bench.out.relative_to(ROOT)}/")
            print(f"Total time: {time.monotonic() - started:.0f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
