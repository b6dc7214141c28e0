"""Test helpers: data factories and an API client that carries the CSRF token."""

import functools
import itertools
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from contest.extensions import db
from contest.models import (
    Attempt,
    AttemptState,
    Choice,
    Contest,
    ParticipatingUnit,
    Question,
    ReviewPolicy,
    Role,
    RoundReview,
    Unit,
    UnitGroup,
    User,
)
from contest.quiz.services import record_best_round
from contest.units.services import enroll_active_units

_sequence = itertools.count(1)
PASSWORD = "secret-pass"


class ApiClient:
    """Flask's test client speaking the JSON API the way the round page does: a round it starts
    has its questions reported shown at once (`reports_shown`; False plays a naive script that
    never reports, which the plausibility checks flag)."""

    def __init__(self, client, reports_shown: bool = True) -> None:
        self.client = client
        self.csrf_token = None
        self.reports_shown = reports_shown

    def refresh_token(self) -> str:
        self.csrf_token = self.client.get("/api/v1/session").get_json()["csrf_token"]
        return self.csrf_token

    def _headers(self, headers: dict | None) -> dict:
        if self.csrf_token is None:
            self.refresh_token()
        return {"X-CSRFToken": self.csrf_token, **(headers or {})}

    def get(self, path: str, **kwargs):
        return self.client.get("/api/v1" + path, **kwargs)

    def post(self, path: str, json=None, headers=None):
        response = self.client.post("/api/v1" + path, json=json, headers=self._headers(headers))
        if self.reports_shown and path.endswith("/attempts") and response.status_code == 201:
            self.report_shown(response.get_json())
        return response

    def report_shown(self, attempt: dict, question_ids: list[int] | None = None):
        """Report the round's questions (or those given) shown, as the round page does."""
        if question_ids is None:
            question_ids = [question["id"] for question in attempt["questions"]]
        path = f"/api/v1/attempts/{attempt['id']}/shown"
        body = {"question_ids": question_ids}
        response = self.client.post(path, json=body, headers=self._headers(None))
        assert response.status_code == 200, response.get_json()
        return response

    def put(self, path: str, json=None, headers=None):
        return self.client.put("/api/v1" + path, json=json, headers=self._headers(headers))

    def delete(self, path: str, headers=None):
        return self.client.delete("/api/v1" + path, headers=self._headers(headers))

    def login(self, user: User, password: str = PASSWORD):
        response = self.post("/session", json={"login": user.phone, "password": password})
        assert response.status_code == 200, response.get_json()
        self.csrf_token = response.get_json()["csrf_token"]
        return response


def make_unit(code: str | None = None, headcount: int = 50) -> Unit:
    n = next(_sequence)
    group = UnitGroup(code=f"G{n}", name=f"Nhóm {n}", position=n)
    unit = Unit(code=code or f"U{n}", name=f"Đơn vị {n}", group=group, headcount=headcount)
    db.session.add(unit)
    db.session.flush()
    # Every contest of the test takes part with it (as the migration left existing contests).
    for contest_id in db.session.scalars(select(Contest.id)):
        db.session.add(
            ParticipatingUnit(contest_id=contest_id, unit_id=unit.id, headcount=headcount)
        )
    db.session.flush()
    return unit


@functools.cache
def _hash(password: str) -> str:
    return generate_password_hash(password)


def make_user(
    *roles: Role, unit: Unit | None = None, password: str = PASSWORD, full_name: str | None = None
) -> User:
    n = next(_sequence)
    user = User(
        full_name=full_name or f"Người dự thi {n}",
        phone=f"09{n:08d}",
        unit=unit,
        password_hash="",
    )
    # Hashing is slow on purpose: hash the shared test password once per session.
    user.password_hash = _hash(password)
    for role in roles or (Role.PARTICIPANT,):
        user.grant(role)
    db.session.add(user)
    db.session.flush()
    return user


def make_contest(now: datetime | None = None, **overrides) -> Contest:
    now = now or datetime.now(UTC)
    n = next(_sequence)
    values = {
        "slug": f"contest-{n}",
        "name": f"Hội thi {n}",
        "quiz_opens_at": now - timedelta(days=1),
        "quiz_closes_at": now + timedelta(days=30),
        "questions_per_round": 10,
        "round_time_limit_seconds": 600,
        "submission_grace_seconds": 5,
        "review_policy": ReviewPolicy.AFTER_CLOSE,
    }
    values.update(overrides)
    contest = Contest(**values)
    db.session.add(contest)
    db.session.flush()
    enroll_active_units(contest)  # as a new contest does; tests narrow it where they need
    return contest


def make_questions(count: int, choices: int = 4, topic: str = "Chủ đề thử") -> list[Question]:
    questions = []
    for _ in range(count):
        n = next(_sequence)
        question = Question(
            topic=topic,
            text=f"Câu hỏi số {n}?",
            citation="Văn bản thử, Điều 1",
            choices=[
                Choice(text=f"Phương án {k} của câu {n}", is_correct=k == 0, position=k)
                for k in range(choices)
            ],
        )
        db.session.add(question)
        questions.append(question)
    db.session.flush()
    return questions


def form_token(client, path: str) -> str:
    """The CSRF token a page of the site carries (in its meta tag)."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def graded_round(
    contest: Contest,
    user: User,
    correct: int,
    duration_ms: int,
    finished_at: datetime,
    state: AttemptState = AttemptState.SUBMITTED,
) -> Attempt:
    """A round graded as the quiz grades it (its participant's best kept), without playing it."""
    attempt = Attempt(
        contest_id=contest.id,
        user_id=user.id,
        state=state,
        started_at=finished_at - timedelta(milliseconds=duration_ms),
        deadline_at=finished_at + timedelta(minutes=10),
        submitted_at=finished_at if state is AttemptState.SUBMITTED else None,
        finished_at=finished_at,
        question_count=10,
        correct_count=correct,
        duration_ms=duration_ms,
    )
    db.session.add(attempt)
    db.session.flush()
    record_best_round(attempt)
    return attempt


def flagged_round(
    contest: Contest,
    user: User,
    correct: int,
    duration_ms: int,
    finished_at: datetime,
    held: bool = True,
) -> Attempt:
    """A graded round the plausibility checks flagged, as grading keeps it: held (too fast: not
    ranked until accepted) or not (several accounts on one device: ranked meanwhile)."""
    attempt = Attempt(
        contest_id=contest.id,
        user_id=user.id,
        state=AttemptState.SUBMITTED,
        started_at=finished_at - timedelta(milliseconds=duration_ms),
        deadline_at=finished_at + timedelta(minutes=10),
        submitted_at=finished_at,
        finished_at=finished_at,
        question_count=10,
        correct_count=correct,
        duration_ms=duration_ms,
    )
    db.session.add(attempt)
    db.session.flush()
    db.session.add(
        RoundReview(
            attempt_id=attempt.id,
            contest_id=contest.id,
            user_id=user.id,
            held=held,
            flags=["too_fast"] if held else ["shared_device"],
            evidence={
                "duration_ms": duration_ms,
                "floor_ms": 40_000,
                "gap_cv_percent": 3.5,
                "device_accounts": 1 if held else 3,
                "address_rounds": 2,
                "answers": [
                    {
                        "question_id": 1,
                        "position": 1,
                        "reading_chars": 350,
                        "floor_ms": 4_675,
                        "first_saved_ms": duration_ms // 2,
                        "last_saved_ms": duration_ms // 2,
                        "too_fast": held,
                    }
                ],
            },
            flagged_at=finished_at,
        )
    )
    db.session.flush()
    if not held:
        record_best_round(attempt)
    return attempt


def in_contest(contest: Contest | str, path: str = "") -> str:
    """A contest's own URL (by the contest or its slug): a page's, or the API's after /api/v1
    (`path` starts with /)."""
    slug = contest if isinstance(contest, str) else contest.slug
    return f"/contests/{slug}{path}"


def logged_in_clients(app, phone: str, count: int) -> list[ApiClient]:
    """Several clients of one user (one login, its session cookie copied)."""
    first = ApiClient(app.test_client())
    response = first.post("/session", json={"login": phone, "password": PASSWORD})
    assert response.status_code == 200
    first.csrf_token = response.get_json()["csrf_token"]
    cookie = first.client.get_cookie("session")
    clients = [first]
    for _ in range(count - 1):
        other = ApiClient(app.test_client())
        other.client.set_cookie("session", cookie.value, domain=cookie.domain)
        other.csrf_token = first.csrf_token
        clients.append(other)
    return clients


def race(calls: list[Callable[[], object]]) -> list:
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
