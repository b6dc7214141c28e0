"""Locust users of bench/quiz_load.py: a participant's journey, saving answers, the ceiling.

quiz_load.py runs `locust -f bench/locustfile.py --headless -u N -r R -t LIMIT --csv ... CLASS`.
Every user first gets ready (logs in; SaveAnswerUser also starts a round), then waits at a
gate. When the last user is ready the statistics are reset (the warm-up's "login" and
"csrf token" lines are kept: logins happen only then), the measured window of
--measure-seconds begins, and at its end the run stops itself; -t only bounds a run whose
users never all got ready. What happened in the window (every line's count, failures and
response-time histogram, and the CPU used by locust, the server and PostgreSQL) is written
as JSON to --window-report; --gate-file, if given, is created when the window opens.

Users wait for nothing between requests (closed loop: N users are N requests always in
flight), unless --think-time gives JourneyUser a pause before each request.
"""

import itertools
import json
import random
import time

import gevent
import psutil
from gevent.event import Event
from locust import FastHttpUser, constant, events, task

API = "/api/v1"
CONTEST = f"{API}/contests/bench"  # bench.seed's contest
WARM_UP_LINES = ("login", "csrf token")
LEADERBOARD_EVERY = 5  # rounds

_numbers = itertools.count()
_gate = Event()
_state = {"ready": 0, "warm_up_failures": {}}


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    group = parser.add_argument_group("bench")
    group.add_argument("--measure-seconds", type=float, default=20.0)
    group.add_argument("--first-participant", type=int, default=1)
    group.add_argument("--phone-prefix", default="097")
    group.add_argument("--password", default="")
    group.add_argument("--window-report", default="")
    group.add_argument("--server-pid", type=int, default=0)
    group.add_argument("--gate-file", default="", help="created when the window opens")
    group.add_argument(
        "--think-time", type=float, default=0.0, help="JourneyUser: mean pause between requests"
    )
    group.add_argument(
        "--max-requests", type=int, default=2_000_000, help="safety bound: stop the run past it"
    )


@events.request.add_listener
def _count_request(**_kwargs) -> None:
    """Bound the number of requests too: past --max-requests the run stops (never in practice)."""
    _state["requests"] = _state.get("requests", 0) + 1
    environment = _state.get("environment")
    if environment and _state["requests"] == environment.parsed_options.max_requests:
        gevent.spawn(environment.runner.quit)


@events.init.add_listener
def _keep_environment(environment, **_kwargs) -> None:
    _state["environment"] = environment


def _phone(prefix: str, number: int) -> str:
    return f"{prefix}{number:07d}"


def _body(response) -> dict:
    """The response's JSON object, or {} when it has none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _arrive(environment) -> None:
    """Count this user as ready; the last one opens the gate. Then wait for the gate."""
    _state["ready"] += 1
    if _state["ready"] >= environment.parsed_options.num_users and not _gate.is_set():
        _open_gate(environment)
    _gate.wait()


def _open_gate(environment) -> None:
    stats = environment.stats
    _state["warm_up_failures"] = {
        f"{entry.method} {entry.name}": entry.num_failures
        for entry in stats.entries.values()
        if entry.num_failures
    }
    kept = {key: stats.entries.pop(key) for key in list(stats.entries) if key[0] in WARM_UP_LINES}
    stats.reset_all()
    stats.entries.update(kept)
    _state["start"] = time.time()
    _state["cpu_start"] = _cpu(environment)
    gevent.spawn_later(environment.parsed_options.measure_seconds, _close_window, environment)
    if environment.parsed_options.gate_file:
        with open(environment.parsed_options.gate_file, "w", encoding="utf-8") as file:
            file.write(str(_state["start"]))
    _gate.set()


def _close_window(environment) -> None:
    end = time.time()
    cpu_end = _cpu(environment)
    stats = environment.stats
    report = {
        "window_seconds": end - _state["start"],
        "users": environment.parsed_options.num_users,
        "warm_up_failures": _state["warm_up_failures"],
        "cpu_seconds": _cpu_used(_state["cpu_start"], cpu_end),
        "lines": [
            {
                "name": entry.name,
                "method": entry.method,
                "num_requests": entry.num_requests,
                "num_failures": entry.num_failures,
                "response_times": {str(ms): n for ms, n in entry.response_times.items()},
                "max_response_time": entry.max_response_time,
            }
            for entry in stats.entries.values()
        ],
        "errors": [
            {"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ],
    }
    path = environment.parsed_options.window_report
    if path:
        with open(path, "w", encoding="utf-8") as file:
            json.dump(report, file)
    environment.runner.quit()


def _cpu(environment) -> dict:
    """CPU seconds used so far: the machine (busy), this process, the server's and PostgreSQL's
    processes (per process id, so that processes ending or starting in between do not count)."""
    machine = psutil.cpu_times()
    own = psutil.Process().cpu_times()
    postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
    return {
        "machine_busy": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0),
        "machine_wall": time.time() * psutil.cpu_count(),
        "locust": own.user + own.system,
        "server": _tree_cpu(environment.parsed_options.server_pid),
        "postgres": {p.pid: _process_cpu(p) for p in postgres},
    }


def _cpu_used(start: dict, end: dict) -> dict[str, float]:
    used = {key: end[key] - start[key] for key in end if key not in ("server", "postgres")}
    for key in ("server", "postgres"):
        used[key] = sum(
            seconds - start[key].get(pid, 0.0)
            for pid, seconds in end[key].items()
            if seconds >= start[key].get(pid, 0.0)
        )
    return used


def _process_cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def _tree_cpu(pid: int) -> dict[int, float]:
    if not pid:
        return {}
    try:
        root = psutil.Process(pid)
        return {p.pid: _process_cpu(p) for p in [root, *root.children(recursive=True)]}
    except psutil.Error:
        return {}


class Participant(FastHttpUser):
    """A participant with their own account, speaking the JSON API as the round page does."""

    abstract = True
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.number = options.first_participant + next(_numbers)
        self.token = None
        self.attempt = None
        self.rounds = 0
        try:
            self.get_ready()
        finally:
            _arrive(self.environment)

    def get_ready(self) -> None:
        self.log_in()

    def log_in(self) -> bool:
        options = self.environment.parsed_options
        with self.client.get(f"{API}/session", name="csrf token", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return False
            token = _body(r).get("csrf_token", "")
        body = {"login": _phone(options.phone_prefix, self.number), "password": options.password}
        with self.client.post(
            f"{API}/session",
            json=body,
            headers={"X-CSRFToken": token},
            name="login",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}: {r.text[:200]}")
                return False
            self.token = _body(r).get("csrf_token")
        return True

    def _headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.token or ""}

    def start_round(self) -> dict | None:
        """POST /attempts; a round left running (after an error) is taken up again."""
        with self.client.post(
            f"{CONTEST}/attempts", headers=self._headers(), name="start", catch_response=True
        ) as r:
            body = _body(r)
            if r.status_code == 201 and body.get("questions"):
                self.report_shown(body)
                return body
            r.failure(f"status {r.status_code}: {r.text[:200]}")
            running = body.get("attempt_id") if r.status_code == 409 else None
        if running is None:
            return None
        r = self.client.get(f"{API}/attempts/{running}", name="get round")
        return _body(r) if r.status_code == 200 else None

    def report_shown(self, attempt: dict) -> None:
        """The round page's report of the questions on the screen (one, for the whole round)."""
        ids = [question["id"] for question in attempt["questions"]]
        with self.client.post(
            f"{API}/attempts/{attempt['id']}/shown",
            json={"question_ids": ids},
            headers=self._headers(),
            name="report shown",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}: {r.text[:200]}")

    def save_answer(self, attempt: dict) -> bool:
        question = random.choice(attempt["questions"])
        return self.save(attempt["id"], question)

    def save(self, attempt_id: int, question: dict) -> bool:
        choice = random.choice(question["choices"])
        with self.client.put(
            f"{API}/attempts/{attempt_id}/answers/{question['id']}",
            json={"choice_id": choice["id"]},
            headers=self._headers(),
            name="save answer",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}: {r.text[:200]}")
                return False
        return True

    def submit(self, attempt_id: int) -> None:
        with self.client.post(
            f"{API}/attempts/{attempt_id}/submit",
            headers=self._headers(),
            name="submit",
            catch_response=True,
        ) as r:
            if r.status_code != 200 or _body(r).get("result") is None:
                r.failure(f"status {r.status_code}: {r.text[:200]}")

    def read_contest(self) -> None:
        self.client.get(CONTEST, name="contest")

    def read_leaderboard(self) -> None:
        self.client.get(f"{CONTEST}/leaderboard?limit=100", name="leaderboard")


class JourneyUser(Participant):
    """Logged in once; then round after round: contest, start, 10 answers, submit.

    With --think-time T the participant pauses 0.5 T to 1.5 T before each request (reading
    the question); without it (the default) every user is one request always in flight.
    """

    def think(self) -> None:
        mean = self.environment.parsed_options.think_time
        if mean > 0:
            gevent.sleep(random.uniform(0.5 * mean, 1.5 * mean))

    @task
    def play_round(self) -> None:
        if self.token is None and not self.log_in():
            gevent.sleep(1.0)  # the server refuses: do not spin
            return
        self.think()
        self.read_contest()
        self.think()
        attempt = self.start_round()
        if attempt is None:
            gevent.sleep(0.1)
            return
        for question in attempt["questions"]:
            self.think()
            self.save(attempt["id"], question)
        self.think()
        self.submit(attempt["id"])
        self.rounds += 1
        if self.rounds % LEADERBOARD_EVERY == 0:
            self.think()
            self.read_leaderboard()


class SaveAnswerUser(Participant):
    """Logged in with a round running; saves (changes) answers of that round, nothing else."""

    def get_ready(self) -> None:
        if self.log_in():
            self.attempt = self.start_round()

    @task
    def change_answer(self) -> None:
        if self.attempt is None:
            if self.token is None:
                self.log_in()
            self.attempt = self.start_round() if self.token else None
            if self.attempt is None:
                gevent.sleep(1.0)
            return
        if not self.save_answer(self.attempt):
            self.attempt = None


class CeilingUser(FastHttpUser):
    """The ceiling app's one endpoint: insert one row and commit."""

    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.number = self.environment.parsed_options.first_participant + next(_numbers)
        _arrive(self.environment)

    @task
    def insert_row(self) -> None:
        self.client.put(
            f"/hits/{self.number}",
            json={"choice_id": random.randint(1, 400)},
            name="ceiling insert",
        )
