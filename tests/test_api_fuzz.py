"""Schemathesis against the live OpenAPI document: no server error, no conformance failure.

The engine the `schemathesis run` command uses (examples, coverage, fuzzing and stateful
phases, every default check, TRACE and other unexpected methods included) drives the WSGI app
in process, logged in as a participant who is also a unit admin (so the upload calls are
exercised too), with the session cookie and the CSRF header. Seeded and derandomised, so a
run is the same in CI as on a laptop; about 30 s on SQLite, as much again on PostgreSQL
when TEST_DATABASE_URL is set. Marked `fuzz`: `pytest -m "not fuzz"` leaves it out.

The operations are read from the document, never listed here. Logging out is left out (it
would end the session the rest of the run uses); `tests/test_openapi.py` checks it.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from flask import Flask, url_for
from flask_migrate import upgrade
from schemathesis.engine import events

from contest.api.openapi import CSRF
from contest.extensions import db
from contest.models import Role
from tests.apps import own_app, postgres_database
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import ApiClient, make_contest, make_questions, make_unit, make_user

pytestmark = [
    pytest.mark.fuzz,
    # schemathesis warns when it prints a large generated value; a warning is not a failure
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning"),
]

EXAMPLES_PER_OPERATION = 100

# Refusals the document cannot express in JSON Schema, so a schema-valid request may get them:
# the ids of a round's questions and choices are its own draw (422, answers and shown reports
# alike); the size limit is the contest's (413); a title or name is cleaned (control and
# invisible characters dropped) before the not-empty check (422); a part number beyond the
# file's parts is refused (400).
RULES_OF_THE_DATA = {
    ("PUT", "answers"): [422],
    ("POST", "shown"): [422],
    ("POST", "uploads"): [413, 422],
    ("PUT", "parts"): [400],
    ("POST", "url"): [400],
}
ACCEPTED = ["2xx", "3xx", 401, 403, 404, 409, 429]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fuzzed_app(request, tmp_path) -> Iterator[Flask]:
    """An app of the test's own, on a fresh database with an open contest and its people."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    elif (TEST_DATABASE_URL or "").startswith("postgresql"):
        url = request.getfixturevalue("fuzz_database")
    else:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    with own_app(url, tmp_path, VIDEO_PROCESSING="scheduler", RATELIMIT_ENABLED=False) as app:
        upgrade()
        now = datetime.now(UTC)
        make_questions(30)
        make_contest(
            now, video_opens_at=now - timedelta(days=1), video_closes_at=now + timedelta(days=5)
        )
        app.fuzzer = make_user(Role.PARTICIPANT, Role.UNIT_ADMIN, unit=make_unit())
        db.session.commit()
        yield app


@pytest.fixture
def fuzz_database() -> Iterator[str]:
    with postgres_database(TEST_DATABASE_URL, prefix="api_fuzz") as url:
        yield url


def operations_config(server: str) -> list[dict]:
    """Per-operation settings: logging out left out, the data's own refusals allowed.

    Operations are picked by their label ("PUT /attempts/{attempt_id}/..."): one key per
    entry, since an entry's several include keys would each select operations on their own.
    """
    logout = url_for("api.delete_session").removeprefix(server)
    operations = [{"include-name": f"DELETE {logout}", "enabled": False}]
    for (method, last_segment), statuses in RULES_OF_THE_DATA.items():
        operations.append(
            {
                "include-name-regex": rf"^{method} .*/{last_segment}(/\{{\w+\}})?$",
                "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + statuses}},
            }
        )
    return operations


def failures_of(event) -> list[str]:
    """One line per failed check of a finished scenario: operation, check, status, request."""
    lines = []
    recorder = getattr(event, "recorder", None)
    for case_id, checks in (recorder.checks if recorder else {}).items():
        for check in checks:
            if check.failure_info is None:
                continue
            interaction = recorder.interactions.get(case_id)
            status = interaction.response.status_code if interaction else None
            lines.append(
                f"{recorder.label}: {check.name} ({check.failure_info.failure.title}: "
                f"{check.failure_info.failure.message}), "
                f"{status}\n    {check.failure_info.code_sample}"
            )
    return lines


def test_the_api_keeps_to_its_document(fuzzed_app):
    api = ApiClient(fuzzed_app.test_client())
    api.login(fuzzed_app.fuzzer)
    session = api.client.get_cookie("session").value
    with fuzzed_app.test_request_context():
        document = url_for("api.openapi")
        server = document.rsplit("/", 1)[0]
        operations = operations_config(server)
    config = schemathesis.Config.from_dict(
        {
            "seed": 20261201,
            "workers": 1,
            "cache": {"enabled": False},
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
                "allow-x00": False,  # the document says: no text holds a NUL (400)
            },
            "operations": operations,
        }
    )
    schema = schemathesis.openapi.from_wsgi(document, fuzzed_app, config=config)

    @schema.hook
    def map_case(context, case):
        # The participant's session on every call; the real token wherever the header is sent
        # (a case that leaves the header out still leaves it out).
        case.cookies = {**(case.cookies or {}), "session": session}
        if case.headers and CSRF["name"] in case.headers:
            case.headers[CSRF["name"]] = api.csrf_token
        return case

    problems, finished = [], None
    for event in schemathesis.engine.from_schema(schema).execute():
        problems += failures_of(event)
        if isinstance(event, events.NonFatalError | events.FatalError):
            problems.append(f"error: {getattr(event, 'info', None) or event.exception}")
        if isinstance(event, events.EngineFinished):
            finished = event
            problems += [str(failure) for failure in event.failures]
    assert finished is not None
    assert finished.stop_reason == "completed"
    assert not problems, "\n".join(problems)
