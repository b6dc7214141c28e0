"""Build the image and run deploy/compose.yaml as a throwaway stack, then check it works.

    make compose-check            # or: .venv/bin/python deploy/compose_check.py

Needs a Docker engine with the compose plugin, and the images compose.yaml names (postgres,
redis, nginx, minio) pullable or already present. The stack runs as its own compose project
(`contest-check`) on HTTP_PORT (default 8088) and S3_PORT (default 9010), with secrets made for
the run, and is taken down with its volumes at the end, whatever happened; its logs are kept in
a temporary folder named at the end.

Checks: the app containers run as a non-root user and become healthy; /healthz through nginx
reports the database, Redis and the built version; a participant plays a whole round through
nginx (spread over the app replicas); exactly one scheduler holds the lease, and when it is
stopped (SIGTERM) it releases the lease and the other one takes over.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
PROJECT = "contest-check"
PARTICIPANTS = 5
SEED_PASSWORD = "compose-check"  # noqa: S105 (throwaway accounts of a throwaway stack)
TAKEOVER_SECONDS = 90  # the lease (60 s) and one keep-lease interval (20 s), with room


class CheckFailed(Exception):
    pass


def env_file(folder: Path) -> Path:
    path = folder / "contest.env"
    path.write_text(
        "\n".join(
            [
                f"SECRET_KEY={secrets.token_hex(32)}",
                f"POSTGRES_PASSWORD={secrets.token_hex(12)}",
                "TRUSTED_PROXIES=1",
                "SESSION_COOKIE_SECURE=0",
                "SITE_URL=http://localhost",
                "S3_BUCKET=contest-videos",
                "S3_ENDPOINT_URL=http://s3:9000",
                "AWS_ACCESS_KEY_ID=contest-check",
                f"AWS_SECRET_ACCESS_KEY={secrets.token_hex(16)}",
                "VIDEO_PROCESSING=scheduler",
                "WEB_WORKERS=2",
                "WEB_THREADS=4",
                "DATABASE_POOL_SIZE=4",
                "DATABASE_MAX_OVERFLOW=2",
                "WEB_ACCESS_LOG=-",
                "",
            ]
        )
    )
    return path


class Stack:
    def __init__(self, env: Path, http_port: int, s3_port: int) -> None:
        self.env = env
        self.base = f"http://127.0.0.1:{http_port}"
        self.variables = os.environ | {
            "CONTEST_ENV_FILE": str(env),
            "HTTP_PORT": str(http_port),
            "S3_PORT": str(s3_port),
        }

    def compose(self, *args: str, check: bool = True) -> str:
        command = ["docker", "compose", "-p", PROJECT, "-f", str(DEPLOY / "compose.yaml")]
        command += ["--env-file", str(self.env), *args]
        done = subprocess.run(
            command, env=self.variables, capture_output=True, text=True, timeout=900
        )
        if check and done.returncode != 0:
            raise CheckFailed(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def sql(self, query: str) -> str:
        return self.compose(
            "exec", "-T", "db", "psql", "-U", "contest", "-d", "contest", "-tAc", query
        ).strip()

    def container_ids(self, service: str) -> list[str]:
        return self.compose("ps", "-q", service).split()


def step(text: str) -> None:
    print(f"- {text}", flush=True)


def version() -> str:
    described = subprocess.run(
        ["git", "describe", "--always"], cwd=ROOT, capture_output=True, text=True
    )
    return described.stdout.strip() or "unknown"


def check_health(stack: Stack, built: str) -> None:
    for _ in range(60):
        try:
            reply = requests.get(f"{stack.base}/healthz", timeout=5)
        except requests.ConnectionError:
            reply = None
        if reply is not None and reply.status_code == 200:
            break
        time.sleep(2)
    else:
        raise CheckFailed("/healthz through nginx never answered 200")
    health = reply.json()
    expected = {"status": "ok", "database": "ok", "redis": "ok", "version": built}
    if health != expected:
        raise CheckFailed(f"/healthz said {health}, expected {expected}")
    step(f"/healthz through nginx: {json.dumps(health)}")


def check_non_root(stack: Stack) -> None:
    for container in stack.container_ids("app"):
        user = subprocess.run(
            ["docker", "exec", container, "id", "-u"], capture_output=True, text=True
        ).stdout.strip()
        if user in ("", "0"):
            raise CheckFailed(f"app container {container[:12]} runs as uid {user or '?'}")
    step("the app containers run as uid 10001, not root")


def play_a_round(stack: Stack) -> None:
    api = f"{stack.base}/api/v1"
    http = requests.Session()
    token = http.get(f"{api}/session", timeout=10).json()["csrf_token"]
    phone = stack.sql("SELECT phone FROM users WHERE phone LIKE '097%' ORDER BY id LIMIT 1")
    reply = http.post(
        f"{api}/session",
        json={"login": phone, "password": SEED_PASSWORD},
        headers={"X-CSRFToken": token},
        timeout=10,
    )
    if reply.status_code != 200:
        raise CheckFailed(f"login through nginx: {reply.status_code} {reply.text}")
    headers = {"X-CSRFToken": reply.json()["csrf_token"]}
    reply = http.post(f"{api}/contests/bench/attempts", headers=headers, timeout=10)
    if reply.status_code != 201:
        raise CheckFailed(f"start a round: {reply.status_code} {reply.text}")
    attempt = reply.json()
    shown = {"question_ids": [question["id"] for question in attempt["questions"]]}
    reply = http.post(
        f"{api}/attempts/{attempt['id']}/shown", json=shown, headers=headers, timeout=10
    )
    if reply.status_code != 200:
        raise CheckFailed(f"report the questions shown: {reply.status_code} {reply.text}")
    for question in attempt["questions"]:
        url = f"{api}/attempts/{attempt['id']}/answers/{question['id']}"
        body = {"choice_id": question["choices"][0]["id"]}
        reply = http.put(url, json=body, headers=headers, timeout=10)
        if reply.status_code != 200:
            raise CheckFailed(f"save an answer: {reply.status_code} {reply.text}")
    url = f"{api}/attempts/{attempt['id']}/submit"
    reply = http.post(url, headers=headers, timeout=10)
    if reply.status_code != 200:
        raise CheckFailed(f"submit: {reply.status_code} {reply.text}")
    state = stack.sql(f"SELECT state FROM attempts WHERE id = {int(attempt['id'])}")  # noqa: S608 (an int)
    step(f"a round of {len(attempt['questions'])} questions played through nginx: {state}")
    served = [
        container[:12]
        for container in stack.container_ids("app")
        if "/api/v1/attempts/" in docker_logs(container)
    ]
    step(f"app replicas that served the round: {len(served)} of 2")


def docker_logs(container: str) -> str:
    done = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
    return done.stdout + done.stderr


def lease_holder(stack: Stack) -> str:
    return stack.sql("SELECT holder FROM scheduler_leases WHERE expires_at > now()")


def scheduler_holding(stack: Stack, holder: str) -> str:
    """The compose service whose container holds the lease (the holder starts with its host)."""
    for service in ("scheduler1", "scheduler2"):
        for container in stack.container_ids(service):
            if holder.startswith(container[:12]):
                return service
    raise CheckFailed(f"no scheduler container is the lease holder {holder!r}")


def check_schedulers(stack: Stack) -> None:
    deadline = time.monotonic() + 60
    while not (holder := lease_holder(stack)):
        if time.monotonic() > deadline:
            raise CheckFailed("no scheduler took the lease within 60 s")
        time.sleep(2)
    acting = scheduler_holding(stack, holder)
    other = "scheduler2" if acting == "scheduler1" else "scheduler1"
    acting_logs = stack.compose("logs", acting)
    if "holds the lease: acting" not in acting_logs:
        raise CheckFailed(f"{acting} holds the lease but never said so")
    if "holds the lease: acting" in stack.compose("logs", other):
        raise CheckFailed(f"{other} acted too")
    step(f"one scheduler acts ({acting}), the other stands by")
    stopped_at = time.monotonic()
    stack.compose("stop", acting)
    if "released the lease" not in stack.compose("logs", acting):
        raise CheckFailed(f"{acting} stopped without releasing the lease")
    while (holder := lease_holder(stack)) == "" or scheduler_holding(stack, holder) != other:
        if time.monotonic() - stopped_at > TAKEOVER_SECONDS:
            raise CheckFailed(f"{other} did not take over within {TAKEOVER_SECONDS} s")
        time.sleep(2)
    step(
        f"{acting} stopped (SIGTERM) and released the lease; {other} took over "
        f"in {time.monotonic() - stopped_at:.0f} s"
    )


def main() -> int:
    logs = Path(tempfile.mkdtemp(prefix="compose-check-"))
    stack = Stack(
        env_file(logs),
        int(os.environ.get("HTTP_PORT", "8088")),
        int(os.environ.get("S3_PORT", "9010")),
    )
    built = version()
    try:
        step(f"building the image ({built}) and starting the stack")
        stack.compose("build", "--build-arg", f"APP_VERSION={built}", "migrate")
        stack.compose("up", "-d", "--scale", "app=2")
        check_non_root(stack)
        check_health(stack, built)
        stack.compose(
            "run", "--rm", "-T", "--no-deps", "migrate", "python", "-m", "bench.seed",
            "--participants", str(PARTICIPANTS), "--password", SEED_PASSWORD,
        )  # fmt: skip
        play_a_round(stack)
        check_schedulers(stack)
    except CheckFailed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        (logs / "stack.log").write_text(stack.compose("logs", "--no-color", check=False))
        stack.compose("down", "--volumes", "--remove-orphans", check=False)
        print(f"logs: {logs / 'stack.log'}")
    print("compose check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
