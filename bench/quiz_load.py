"""Load benchmark of the quiz API under gunicorn, on SQLite and on PostgreSQL.

Run from the repository root (about 3.5 minutes per database with the defaults):

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

Clients wait for nothing between requests: --clients is the number of concurrent requests.
Rate limits are raised (not disabled) so that the limiter's cost, in Redis when it answers on
127.0.0.1:6379 (--redis-url), stays in the measurement. An error is any response other than
the expected one (login 200, start 201, save 200, submit 200 with a result, reads 200).

Everything it starts is stopped and the PostgreSQL database dropped at the end, on error and
on Ctrl+C. Results (locust CSV files and a JSON summary) go to bench/results/RUN/, unless
--no-save. Needs locust (bench/requirements.txt), which is installed into the running
virtualenv when missing. bench/profile_requests.py shows where a request's time goes.
"""

import argparse
import contextlib
import ctypes
import http.client
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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"

PASSWORD = "bench-pass"  # noqa: S105 (throwaway accounts of a throwaway database)
PHONE_PREFIX = "097"

# gunicorn settings for 2 cores, the same for the platform and the ceiling (see --help).
WORKER_CLASS = "gthread"
WORKERS = 2
THREADS = 4
RAISED_LIMIT = "100000 per minute"

JOURNEY_LINES = ["login", "start", "save answer", "submit", "contest", "leaderboard"]


class BenchError(RuntimeError):
    """The benchmark cannot go on."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of the quiz API (see the module docstring).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
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
        "--spawn-rate", type=float, default=16, help="clients started per second (warm-up)"
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


def ensure_locust() -> None:
    """Install bench/requirements.txt into this virtualenv when locust is missing."""
    if (BIN / "locust").exists():
        return
    print("locust is missing: installing bench/requirements.txt ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-r", str(ROOT / "bench/requirements.txt")],
        check=True,
    )


def _die_with_parent() -> None:
    """In a child: get SIGTERM if the benchmark itself dies (Linux), so nothing is left over."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL to the process group it leads (started with a session of its own)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


def http_status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


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
        import psycopg

        name = f"bench_quiz_{os.getpid()}"
        admin = self.args.postgres_url
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {name}")
        self.stack.callback(self.drop_postgres, admin, name)
        parts = urlsplit(admin)
        return f"postgresql+psycopg://{parts.netloc}/{name}"

    @staticmethod
    def drop_postgres(admin: str, name: str) -> None:
        import psycopg

        try:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        except psycopg.Error as error:
            print(f"could not drop database {name}: {error}", file=sys.stderr)

    def prepare(self, database_url: str) -> None:
        """Migrate with the platform's own command, then seed."""
        env = self.server_env(database_url)
        for command in (
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            [
                sys.executable,
                "-m",
                "bench.seed",
                "--participants",
                str(self.args.participants),
                "--password",
                PASSWORD,
                "--phone-prefix",
                PHONE_PREFIX,
            ],
        ):
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            if done.returncode != 0:
                raise BenchError(f"{' '.join(command[:5])} failed:\n{done.stderr[-3000:]}")
            if done.stdout.strip():
                print("  " + done.stdout.strip().splitlines()[-1])

    # -- processes --------------------------------------------------------------------------

    def start_server(self, target: str, database_url: str, label: str, health: str) -> tuple:
        """gunicorn TARGET on a free port of 127.0.0.1; returns (process, port) once it answers."""
        port = free_port()
        log = self.tmp / f"gunicorn-{label}.log"
        command = [str(BIN / "gunicorn"), target, "--bind", f"127.0.0.1:{port}"]
        command += self.gunicorn_settings() + ["--error-logfile", str(log), "--chdir", str(ROOT)]
        with log.open("ab") as log_file:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.server_env(database_url),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.stack.callback(stop_process, process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
            if http_status(port, health) == 200:
                return process, port
            time.sleep(0.25)
        raise BenchError(f"gunicorn did not answer within 60 s:\n{_tail(log)}")

    def run_locust(self, user_class: str, port: int, server_pid: int, label: str, first: int):
        """One measured phase; returns the summarized window."""
        args = self.args
        report_path = self.tmp / f"{label}-window.json"
        warm_up_limit = 30 + 3 * args.clients / args.spawn_rate
        hard_limit = int(warm_up_limit + args.duration + 5)
        command = [
            str(BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            f"http://127.0.0.1:{port}",
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
            user_class,
        ]
        log = self.out / f"{label}-locust.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            try:
                process.wait(timeout=hard_limit + 60)
            except subprocess.TimeoutExpired:
                pass
            finally:
                stop_process(process, timeout=10)
        if not report_path.exists():
            raise BenchError(
                f"locust measured nothing (not every client got ready in {warm_up_limit:.0f} s)"
                f":\n{_tail(log)}"
            )
        return summarize_window(json.loads(report_path.read_text()))

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
                phases[phase] = self.run_locust(
                    user_class, port, server.pid, f"{kind}-{phase}", first
                )
                print_phase(kind, phase, phases[phase])
            stop_process(server)
        if "ceiling" in args.phases:
            server, port = self.start_server(
                "bench.ceiling_app:create_app()", url, f"{kind}-ceiling", "/health"
            )
            phases["ceiling"] = self.run_locust(
                "CeilingUser", port, server.pid, f"{kind}-ceiling", 1
            )
            print_phase(kind, "ceiling", phases["ceiling"])
            stop_process(server)
        return {"database": kind, "phases": phases, **derived(phases)}


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


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
        print(
            f"  {name:<14}{line['count']:>8}{line['rps']:>9.1f}{_ms(line['p50']):>7}"
            f"{_ms(line['p95']):>7}{_ms(line['p99']):>7}{_ms(line['max']):>7}"
            f"{line['failures']:>6}"
        )
    cpu = summary["cpu_percent"]
    print(
        f"  CPU: machine {cpu['machine_busy_of_all_cores']:.0f}% of 2 cores busy; of one core:"
        f" gunicorn {cpu['gunicorn_of_one_core']:.0f}%, locust {cpu['locust_of_one_core']:.0f}%,"
        f" postgres {cpu['postgres_of_one_core']:.0f}%"
    )
    if summary["warm_up_failures"]:
        print(f"  warm-up failures: {summary['warm_up_failures']}")
    for error in summary["errors"][:5]:
        what = f"{error['method']} {error['name']}: {error['error'][:160]}"
        print(f"  error x{error['count']}: {what}")
    if phase == "journey" and "login" in summary["lines"]:
        print("  (login: measured during the warm-up, clients arriving at the spawn rate)")


def print_summary(bench: Bench, results: list[dict]) -> None:
    args = bench.args
    print(f"\n=== Summary: {args.clients} clients, {args.duration:g} s windows ===")
    print(f"{bench.describe_settings()}")
    print(
        f"\n{'database':<10}{'rounds/s':>9}{'save/s':>9}{'ceiling/s':>11}{'ratio':>7}{'errors':>8}"
    )
    for result in results:
        print(
            f"{result['database']:<10}{result.get('rounds_per_second', 0):>9.1f}"
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


def main() -> int:
    args = parse_args()
    ensure_locust()
    # SIGTERM unwinds like Ctrl+C, so that the cleanup below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results: list[dict] = []
    with contextlib.ExitStack() as stack:
        bench = Bench(args, stack)
        print(f"Settings: {bench.describe_settings()}")
        print(
            f"Load: locust {args.clients} FastHttpUser clients, no think time, spawn rate "
            f"{args.spawn_rate:g}/s; {args.participants} participants seeded"
        )
        kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
        try:
            for kind in kinds:
                results.append(bench.run_database(kind))
        except BenchError as error:
            print(f"\nbenchmark failed: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("\ninterrupted: cleaning up", file=sys.stderr)
            return 130
        finally:
            if results:
                print_summary(bench, results)
                if not args.no_save:
                    summary = {
                        "run": bench.run_id,
                        "settings": bench.describe_settings(),
                        "arguments": dict(vars(args)),
                        "results": results,
                    }
                    (bench.out / "summary.json").write_text(json.dumps(summary, indent=2))
                    print(f"\nResults: {bench.out.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
