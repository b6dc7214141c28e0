"""What the benchmarks share: quiet-machine waits, CPU and memory figures from /proc, measuring
children, throwaway databases, processes they start, and the report's end.

Used by bench/quiz_load.py, bench/import_bank.py, bench/upload.py and bench/results.py. Linux
only (/proc, the kernel's high-water mark).
"""

import argparse
import contextlib
import ctypes
import gc
import hashlib
import http.client
import itertools
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Generator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
MIB = 1024 * 1024
QUIET_BUSY_PERCENT = 15  # the machine counts as quiet below this (other work would skew figures)
BUSY_OTHERS_PERCENT = 25  # of one core: more CPU than that used by others marks a figure unsure
CHILD_TIMEOUT = 1800  # seconds; far above a measurement (a hung child must not hang the run)
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/"


class BenchError(RuntimeError):
    """The benchmark cannot go on."""


def interrupted(signum, frame) -> None:
    """Ctrl+C or SIGTERM: unwind (the cleanup runs), and let nothing interrupt the cleanup."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def run_benchmark(
    name: str,
    work: Callable[[Path, contextlib.ExitStack], object],
    report: Callable[[str], str | None],
    save: bool = True,
    tmp_dir: str | None = None,
) -> int:
    """A benchmark's frame; its exit status. Ctrl+C and SIGTERM unwind; `work(tmp, stack)`
    measures with a temporary folder and an exit stack, both cleaned up at the end, on error
    and on Ctrl+C; then, whatever happened, `report(started)` (None: nothing was measured) is
    printed and, with `save`, written to bench/results/<name>-<time>.md."""
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    started, clock = datetime.now().astimezone(), time.monotonic()
    with contextlib.ExitStack() as stack:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-", dir=tmp_dir))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        try:
            return guarded(lambda: work(tmp, stack))
        finally:
            text = report(started.strftime("%Y-%m-%d %H:%M %Z"))
            if text is not None:
                print("\n" + text)
                if save:
                    save_report(text, name, started)
            print(f"Total time: {time.monotonic() - clock:.0f} s")


def guarded(work: Callable[[], object]) -> int:
    """Run the benchmark's body; its exit status (1: it could not go on, 130: interrupted)."""
    try:
        work()
    except BenchError as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    return 0


def code_fingerprint() -> str:
    """A digest of the platform's code, to tell which version a result was measured on."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("contest/**/*.py"), ROOT / "wsgi.py"]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def save_report(text: str, name: str, started: datetime) -> Path:
    """Write a report to bench/results/<name>-<time>.md and say where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}-{started.strftime('%Y%m%d-%H%M%S')}.md"
    out.write_text(text, encoding="utf-8")
    print(f"Results: {out.relative_to(ROOT)}")
    return out


def option_parser(what: str) -> argparse.ArgumentParser:
    """The options of a benchmark, described by its module's docstring."""
    return argparse.ArgumentParser(
        description=f"Benchmark of {what} (see the module docstring).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )


def database_list(parser: argparse.ArgumentParser, value: str) -> list[str]:
    """--databases: a comma-separated list of sqlite and postgres."""
    databases = [d.strip() for d in value.split(",") if d.strip()]
    if unknown := set(databases) - {"sqlite", "postgres"}:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    if not databases:
        parser.error("--databases is empty")
    return databases


def add_postgres_option(parser: argparse.ArgumentParser) -> None:
    """--postgres: the server the throwaway databases are created on."""
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help="PostgreSQL server; the throwaway database is created and dropped on it",
    )


def add_wait_quiet_option(parser: argparse.ArgumentParser, before: str) -> None:
    """--wait-quiet: how long to wait, before each `before`, for other work to stop."""
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=20,
        help=f"before each {before}, wait up to this many seconds for other work to stop",
    )


# -- the machine's CPUs -------------------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs have been busy (neither idle nor waiting for I/O) since boot."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def machine_busy_percent(seconds: float = 1.0) -> float | None:
    """How busy all cores are over `seconds` (from /proc/stat): anything else running?"""

    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 100 * (1 - (idle1 - idle0) / (total1 - total0)) if total1 > total0 else None


def wait_until_quiet(limit: float) -> float | None:
    """Wait (at most `limit` seconds) until other work leaves the CPUs; the last busy %."""
    deadline = time.monotonic() + limit
    while True:
        busy = machine_busy_percent()
        if busy is None or busy < QUIET_BUSY_PERCENT or time.monotonic() >= deadline:
            return busy


def cpu_seconds() -> tuple[float, float, float]:
    """CPU seconds so far: all CPUs busy, PostgreSQL's processes, this process's children."""
    tick = os.sysconf("SC_CLK_TCK")
    postgres = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            line = (entry / "stat").read_text()
            if line[line.index("(") + 1 : line.rindex(")")] != "postgres":
                continue
            fields = line[line.rindex(")") + 2 :].split()
            # utime, stime, and cutime, cstime: the postmaster's share holds the backends that
            # have exited (the measurement's own backend is gone by the time this is read).
            postgres += sum(int(value) for value in fields[11:15])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return machine_busy_seconds(), postgres / tick, children.ru_utime + children.ru_stime


def others_percent(before: tuple, after: tuple, window: float) -> float:
    """CPU that neither the measurement (this process's children) nor PostgreSQL used between
    two cpu_seconds(): other work competing for the cores, in % of one core."""
    busy, postgres, own = (end - start for start, end in zip(before, after, strict=True))
    return max(0.0, 100 * (busy - postgres - own) / window) if window else 0.0


# -- a process's memory -------------------------------------------------------------------------


def status_bytes(field: str, pid: int | str = "self") -> int:
    """A memory field of /proc/PID/status (VmRSS, VmHWM), in bytes."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise BenchError(f"/proc/{pid}/status has no {field}")


def reset_high_water_mark(pid: int | str = "self") -> None:
    """VmHWM := VmRSS, so the high-water mark is the peak from now on (OSError if not allowed)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def settle_memory() -> None:
    """Free what can be freed, so the baseline RSS is what the process really holds."""
    gc.collect()
    # Memory glibc keeps after free() would be reused without raising the RSS: the growth
    # would look smaller than it is. malloc_trim hands it back first (glibc only).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def held_item_bytes(items: Generator, sample: int) -> float:
    """What one item of a generator costs in memory when held: its first `sample` items, traced
    once the generator is closed (its own state goes: what stays traced is the items)."""
    tracemalloc.start()
    held = list(itertools.islice(items, sample))
    items.close()
    gc.collect()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return size / max(1, len(held))


class Peaks:
    """One measurement in this process, over a `with` block: its wall time, its peak RSS above
    the RSS at the start (VmHWM, reset at the start after settle_memory), and with `traced` the
    peak of Python allocations (tracemalloc, which slows Python down: a run of its own)."""

    def __init__(self, traced: bool) -> None:
        self.traced = traced
        self.seconds = 0.0
        self.baseline = self.growth = 0
        self.traced_peak: int | None = None

    def __enter__(self) -> "Peaks":
        settle_memory()
        reset_high_water_mark()
        self.baseline = status_bytes("VmRSS")
        if self.traced:
            tracemalloc.start()
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._started
        self.traced_peak = tracemalloc.get_traced_memory()[1] if self.traced else None
        tracemalloc.stop()
        self.growth = status_bytes("VmHWM") - self.baseline

    def figures(self) -> dict:
        """The figures as a measuring child reports them."""
        return {
            "seconds": self.seconds,
            "baseline_rss": self.baseline,
            "rss_growth": self.growth,
            "traced_peak": self.traced_peak,
        }


# -- measuring children -------------------------------------------------------------------------


def is_child() -> bool:
    """Whether this process is a measuring child (`python -m MODULE --child JSON`)."""
    return len(sys.argv) == 3 and sys.argv[1] == "--child"


def child_main(measure: Callable[[dict], dict]) -> int:
    """The measuring process: its job comes as JSON, its figures go to the job's JSON file."""
    job = json.loads(sys.argv[2])
    Path(job["out"]).write_text(json.dumps(measure(job)))
    return 0


def run_child(module: str, job: dict, env: dict, out: Path, wait_quiet: float, what: str) -> dict:
    """`job` in a fresh process (`python -m module --child`), once the machine is quiet; its
    figures, with the CPU others used meanwhile (others_percent)."""
    out.unlink(missing_ok=True)
    spec = json.dumps({**job, "out": str(out)})
    wait_until_quiet(wait_quiet)
    window, before = time.monotonic(), cpu_seconds()
    done = subprocess.run(
        [sys.executable, "-m", module, "--child", spec],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    window, after = time.monotonic() - window, cpu_seconds()
    if done.returncode != 0 or not out.exists():
        raise BenchError(f"{what} failed:\n{done.stderr[-3000:]}")
    result = json.loads(out.read_text())
    result["others_percent"] = others_percent(before, after, window)
    return result


# -- databases ----------------------------------------------------------------------------------


def flask_db_upgrade(env: dict[str, str]) -> None:
    """Build the schema with the platform's own command, as a deployment does."""
    command = [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise BenchError(f"flask db upgrade failed:\n{done.stderr[-3000:]}")


def postgres_admin(admin_url: str, statement: str) -> None:
    """Run one statement on a server's maintenance database (autocommit: CREATE DATABASE)."""
    import psycopg

    try:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(statement)
    except psycopg.Error as error:
        raise BenchError(f"PostgreSQL at {admin_url}: {str(error).strip()}") from None


def drop_database(admin_url: str, name: str) -> None:
    """Drop a database at the end; a failure is reported, not raised (cleanup goes on)."""
    try:
        postgres_admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except BenchError as error:
        print(f"could not drop database {name}: {error}", file=sys.stderr)


class ThrowawayDatabases:
    """A run's databases: SQLite files in its temporary folder, and PostgreSQL databases
    <prefix>_<pid> on the --postgres server, created and dropped over a psycopg autocommit
    connection (every one created is dropped at the end, on error and on Ctrl+C)."""

    def __init__(
        self, args: argparse.Namespace, stack: contextlib.ExitStack, tmp: Path, prefix: str
    ) -> None:
        """Nothing is created yet: PostgreSQL is only touched when a measurement needs it."""
        self.args, self.stack, self.tmp = args, stack, tmp
        self.name = f"{prefix}_{os.getpid()}"
        parts = urlsplit(args.postgres)
        self._netloc, self._query = parts.netloc, f"?{parts.query}" if parts.query else ""
        self.admin_url = f"postgresql://{self._netloc}/postgres{self._query}"  # psycopg's form
        self.postgres_url = self.url_of(self.name)
        self._to_drop: set[str] = set()

    def url_of(self, name: str) -> str:
        """The SQLAlchemy URL of a database on the --postgres server."""
        return f"postgresql+psycopg://{self._netloc}/{name}{self._query}"

    def env(self, url: str) -> dict[str, str]:
        """The app's environment: this database, a throwaway key, no scheduler, no Redis."""
        env = {k: v for k, v in os.environ.items() if k not in ("DEMO", "RUN_SCHEDULER")}
        env.update(
            DATABASE_URL=url, SECRET_KEY=secrets.token_hex(32), REDIS_URL="", PYTHONUNBUFFERED="1"
        )
        return env

    def migrate(self, url: str) -> None:
        """The platform's schema in the (empty) database at `url`."""
        flask_db_upgrade(self.env(url))

    def recreate(self, name: str, template: str | None = None) -> None:
        """A new empty PostgreSQL database `name` (a copy of `template`), replacing any other."""
        if name not in self._to_drop:
            self._to_drop.add(name)
            self.stack.callback(self.drop, name)
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))

    def admin(self, statement: str) -> None:
        """One statement on the server's maintenance database."""
        try:
            postgres_admin(self.admin_url, statement)
        except BenchError as error:
            raise BenchError(f"{error} (--databases sqlite skips PostgreSQL)") from None

    def drop(self, name: str) -> None:
        """Drop a database now (reported, not raised, when it fails)."""
        drop_database(self.admin_url, name)


# -- processes this run starts ------------------------------------------------------------------


def die_with_parent() -> None:
    """In a child: get SIGTERM if the benchmark itself dies (Linux), so nothing is left over."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_logged(
    command: list[str], env: dict, log: Path, stack: contextlib.ExitStack | None = None
) -> subprocess.Popen:
    """Start a server or tool in a session of its own, its output appended to `log`; stopped
    at the end of `stack` when one is given."""
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
    if stack is not None:
        stack.callback(stop_process, process)
    return process


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
    """A TCP port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(port: int, path: str) -> int | None:
    """The status of GET `path` on 127.0.0.1:`port` (None: no answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def wait_for_http(
    process: subprocess.Popen, port: int, path: str, log: Path, ok: Callable, name: str
) -> None:
    """Wait (at most 60 s) until GET `path` answers a status `ok` accepts; BenchError with the
    log's tail if the process exits first or never answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited with {process.returncode}:\n{tail(log)}")
        if ok(http_status(port, path)):
            return
        time.sleep(0.2)
    raise BenchError(f"{name} did not answer within 60 s:\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
