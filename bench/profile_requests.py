"""Where a quiz API request's time goes: SQL statements per request, and a cProfile.

Runs the platform in-process (Flask's test client, no gunicorn, no network) on a throwaway
database, plays one participant's journey (--warm-up rounds unmeasured, then --rounds
measured: contest, start, 10 new saves, 10 changed saves, submit, leaderboard) and prints,
per request type, the SQL statements it sends, the time spent in them (--show-sql lists
them) and the Python function calls it makes (cProfile's count, the test client included):
both are deterministic, unlike times on a shared machine (--step-top LABEL prints the top
functions of one request type). Then it times --repeat
save-answer requests against as many requests to the ceiling app (bench/ceiling_app.py), and
profiles the save-answer requests with cProfile: the time of each layer of the request
(session cookie, CSRF, Flask-Login, Flask-Limiter, the view, SQLAlchemy) and the top
functions. Under load, `bench/quiz_load.py --py-spy` gives the same layers from gunicorn's
workers.

    .venv/bin/python -m bench.profile_requests [--database sqlite|postgres] [--repeat 500]
                                               [--rounds 5] [--warm-up 2] [--show-sql]
                                               [--top 25] [--step-top LABEL]
"""

import argparse
import contextlib
import cProfile
import io
import pstats
import secrets
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event

from bench import ceiling_app
from bench.quiz_load import LAYERS as QUIZ_LOAD_LAYERS
from bench.seed import BENCH_PASSWORD, participant_phone, seed
from contest import create_app
from contest.extensions import db

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RAISED_LIMIT = "100000 per minute"


class SqlRecorder:
    """Counts and times the statements the engine sends while `recording` is set."""

    def __init__(self, engine) -> None:
        self.recording = False
        self.statements: list[tuple[str, float]] = []
        self._started: dict[int, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        event.listen(engine, "commit", self._commit)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        started = self._started.pop(id(cursor), None)
        if self.recording and started is not None:
            self.statements.append((" ".join(statement.split()), time.perf_counter() - started))

    def _commit(self, conn) -> None:
        if self.recording:
            self.statements.append(("COMMIT", 0.0))

    @contextlib.contextmanager
    def record(self):
        self.statements = []
        self.recording = True
        try:
            yield self
        finally:
            self.recording = False


class Journey:
    """One participant speaking the JSON API through the test client."""

    def __init__(self, client) -> None:
        self.client = client
        self.token = None

    def call(self, method: str, path: str, json=None, expect: int = 200):
        headers = {"X-CSRFToken": self.token} if self.token else {}
        response = self.client.open("/api/v1" + path, method=method, json=json, headers=headers)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data()}")
        return response.get_json()


def make_database(kind: str, folder: Path) -> tuple[str, callable]:
    """A throwaway database URL and the function that removes it."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'profile.db'}", lambda: None
    import psycopg

    name = f"bench_profile_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")

    def drop() -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def run(args: argparse.Namespace, url: str) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secrets.token_hex(16),
            "RATELIMIT_STORAGE_URI": args.ratelimit_storage,
            "LOGIN_RATE_LIMIT": RAISED_LIMIT,
            "LOGIN_RATE_LIMIT_PER_ADDRESS": RAISED_LIMIT,
            "QUIZ_API_RATE_LIMIT": RAISED_LIMIT,
        }
    )
    with app.app_context():
        upgrade()
        seed(participants=5, now=datetime.now(UTC))
        db.session.commit()
        ceiling_app.create_table(url)
        recorder = SqlRecorder(db.engine)
    journey = Journey(app.test_client())
    timings: dict[str, list] = defaultdict(list)
    profiles: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile)
    measuring = False

    def step(label: str, method: str, path: str, json=None, expect: int = 200):
        if not measuring:
            return journey.call(method, path, json, expect)
        profile = profiles[label]
        with recorder.record():
            started = time.perf_counter()
            profile.enable()
            body = journey.call(method, path, json, expect)
            profile.disable()
            elapsed = time.perf_counter() - started
        timings[label].append((elapsed, list(recorder.statements)))
        return body

    def play_round() -> None:
        step("contest", "GET", "/contests/bench")
        attempt = step("start", "POST", "/contests/bench/attempts", expect=201)
        for question in attempt["questions"]:
            path = f"/attempts/{attempt['id']}/answers/{question['id']}"
            step("save answer (new)", "PUT", path, {"choice_id": question["choices"][0]["id"]})
        for question in attempt["questions"]:
            path = f"/attempts/{attempt['id']}/answers/{question['id']}"
            step("save answer (change)", "PUT", path, {"choice_id": question["choices"][1]["id"]})
        step("submit", "POST", f"/attempts/{attempt['id']}/submit")
        step("leaderboard", "GET", "/contests/bench/leaderboard?limit=100")

    measuring = True
    journey.token = step("csrf token", "GET", "/session")["csrf_token"]
    login = {"login": participant_phone(1), "password": BENCH_PASSWORD}
    journey.token = step("login", "POST", "/session", login)["csrf_token"]
    measuring = False
    for _ in range(args.warm_up):  # caches: SQLAlchemy's statements, the cookie, the token
        play_round()
    measuring = True
    for _ in range(args.rounds):
        play_round()
    measuring = False

    print(f"\nDatabase: {url.split('://')[0]}; rate-limit storage {args.ratelimit_storage}")
    print(
        f"{'request':<22}{'SQL stmts':>10}{'Py calls':>10}{'SQL ms':>9}{'total ms':>10}"
        f"   (mean per request, {args.rounds} rounds after {args.warm_up} unmeasured)"
    )
    for label, runs in timings.items():
        count = len(runs)
        statements = sum(len(s) for _, s in runs) / count
        calls = pstats.Stats(profiles[label]).total_calls / count
        sql_ms = 1000 * sum(t for _, s in runs for _, t in s) / count
        total_ms = 1000 * sum(elapsed for elapsed, _ in runs) / count
        print(f"{label:<22}{statements:>10.1f}{calls:>10.0f}{sql_ms:>9.2f}{total_ms:>10.2f}")
    for label in timings if args.show_sql else ():
        print(f"\nSQL of one '{label}':")
        for statement, seconds in timings[label][-1][1]:
            print(f"  {1000 * seconds:6.2f} ms  {statement[:150]}")
    if args.dump:
        Path(args.dump).mkdir(parents=True, exist_ok=True)
        for label, profile in profiles.items():
            profile.dump_stats(Path(args.dump) / (label.replace(" ", "_") + ".prof"))
    if args.step_top:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            stats = pstats.Stats(profiles[args.step_top], stream=out)
            stats.strip_dirs().sort_stats(order).print_stats(args.top)
            print(f"\nTop {args.top} by {order} (cProfile, '{args.step_top}' requests):")
            print("\n".join(out.getvalue().splitlines()[4:]))

    # The hot path: changing answers of a running round, timed, compared, then profiled.
    attempt = journey.call("POST", "/contests/bench/attempts", expect=201)

    def save(n: int) -> None:
        question = attempt["questions"][n % len(attempt["questions"])]
        choice = question["choices"][n % len(question["choices"])]
        path = f"/attempts/{attempt['id']}/answers/{question['id']}"
        journey.call("PUT", path, {"choice_id": choice["id"]})

    for n in range(50):
        save(n)  # warm caches (SQLAlchemy's statement cache, the pool)
    app_ms = mean_ms(save, args.repeat)
    ceiling = ceiling_app.create_app(url).test_client()
    ceiling_ms = mean_ms(
        lambda n: ceiling.put(f"/hits/{n % 64}", json={"choice_id": n}), args.repeat
    )
    ceiling_profile = cProfile.Profile()
    ceiling_profile.enable()
    for n in range(args.repeat):
        ceiling.put(f"/hits/{n % 64}", json={"choice_id": n})
    ceiling_profile.disable()
    ceiling_calls = pstats.Stats(ceiling_profile).total_calls / args.repeat
    print(
        f"\nIn-process, one thread, no network, {args.repeat} requests each:"
        f"\n  save answer (change) {app_ms:.2f} ms/request;"
        f" ceiling insert {ceiling_ms:.2f} ms/request; ratio {ceiling_ms / app_ms:.2f}"
        f"\n  ceiling insert: {ceiling_calls:.0f} Python calls per request (test client included)"
    )

    profile = cProfile.Profile()
    profile.enable()
    for n in range(args.repeat):
        save(n)
    profile.disable()
    stats = pstats.Stats(profile)
    print_layers(stats, args.repeat)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"\nTop {args.top} by {order} (cProfile, {args.repeat} save-answer requests):")
        print("\n".join(out.getvalue().splitlines()[4:]))
    with app.app_context():
        db.engine.dispose()


def mean_ms(call, repeat: int) -> float:
    started = time.perf_counter()
    for n in range(repeat):
        call(n)
    return 1000 * (time.perf_counter() - started) / repeat


# The layers of quiz_load.py, and the SQLite driver (a C method: py-spy does not see it).
LAYERS = [
    *QUIZ_LOAD_LAYERS,
    ("sqlite3: cursor.execute", "~", "<method 'execute' of 'sqlite3.Cursor' objects>"),
]


def print_layers(stats: pstats.Stats, repeat: int) -> None:
    """Cumulative time of the layers of a request, per request and as a share of the whole."""
    cumulative: dict[tuple[str, str], float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        cumulative[(filename, name)] += ct
    rows = []
    for label, path_end, name in LAYERS:
        seconds = sum(ct for (f, n), ct in cumulative.items() if n == name and f.endswith(path_end))
        rows.append((label, seconds))
    whole = rows[0][1] or 1.0
    print("\nWhere a save-answer request's time goes (cProfile inflates Python-heavy parts):")
    for label, seconds in rows:
        print(f"  {label:<34}{1000 * seconds / repeat:7.2f} ms {100 * seconds / whole:5.0f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=5, help="measured journeys")
    parser.add_argument("--warm-up", type=int, default=2, help="unmeasured journeys first")
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument("--step-top", default="", help="print the top functions of this step")
    parser.add_argument("--dump", default="", help="write each step's cProfile to this folder")
    parser.add_argument("--ratelimit-storage", default="memory://")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    url, drop = make_database(args.database, folder)
    try:
        run(args, url)
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
