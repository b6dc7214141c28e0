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

import os
import re
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bench.seed import BENCH_PASSWORD, participant_phone
from contest.models import Attempt, AttemptState, Video, VideoState
from tests.cluster.hosts import (
    APP_HOSTS,
    LEASE_SECONDS,
    RESET_LIMIT,
    SCHEDULERS,
    UPLOADER,
    Cluster,
    healthy,
    running_cluster,
    wait_until,
)
from tests.test_fault_kill_workers import Ledger, Player, Routes, check_ledger, play_under
from tests.test_videos import details
from tests.test_videos_s3 import padded_mp4  # noqa: F401 (a fixture: a two-part MP4)

OUTAGE_SECONDS = 10
# Participants by use: the players, the schedulers' rounds, the one-off checks.
PLAYERS = range(1, 17)
SCHEDULED = range(40, 56)
CROSSING = 60


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    with running_cluster(tmp_path_factory.mktemp("cluster-logs")) as built:
        yield built


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
