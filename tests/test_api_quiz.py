"""The quiz round through the JSON API: every status code the contract names."""

import json
from datetime import timedelta

import pytest

from contest.models import Attempt, AttemptState, ReviewPolicy, Role
from tests.helpers import in_contest, make_contest, make_questions, make_unit, make_user


@pytest.fixture
def contest(db_session, frozen_clock):
    make_questions(25)
    return make_contest(frozen_clock.now, max_attempts_total=3)


@pytest.fixture
def participant(db_session):
    return make_user(unit=make_unit())


@pytest.fixture
def playing(api, contest, participant):
    api.login(participant)
    return api


def start(api, contest) -> dict:
    response = api.post(in_contest(contest, "/attempts"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def correct_choice_ids(attempt_id: int) -> dict[int, int]:
    from contest.extensions import db

    attempt = db.session.get(Attempt, attempt_id)
    return {sq.question_id: sq.question.correct_choice.id for sq in attempt.served}


def test_start_round_serves_ten_distinct_questions_without_the_key(playing, contest):
    body = start(playing, contest)
    assert len(body["questions"]) == 10
    assert len({q["id"] for q in body["questions"]}) == 10
    assert body["state"] == "active"
    assert body["result"] is None
    for question in body["questions"]:
        assert set(question) == {"id", "position", "text", "choices"}
        for choice in question["choices"]:
            assert set(choice) == {"id", "text"}
    raw = json.dumps(body)
    assert "correct" not in raw
    assert "is_correct" not in raw


def test_deadline_is_server_start_plus_time_limit(playing, contest, frozen_clock):
    body = start(playing, contest)
    expected = frozen_clock.now + timedelta(seconds=contest.round_time_limit_seconds)
    assert body["deadline_at"] == expected.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_a_second_start_while_a_round_runs_is_409_with_its_id(playing, contest):
    first = start(playing, contest)
    response = playing.post(in_contest(contest, "/attempts"))
    assert response.status_code == 409
    assert response.get_json()["error"] == "round_in_progress"
    assert response.get_json()["attempt_id"] == first["id"]


@pytest.mark.parametrize("opens_in", [timedelta(days=1), timedelta(days=-40)])
def test_start_outside_the_quiz_window_is_403(api, participant, frozen_clock, db_session, opens_in):
    make_questions(10)
    opens_at = frozen_clock.now + opens_in
    contest = make_contest(quiz_opens_at=opens_at, quiz_closes_at=opens_at + timedelta(days=30))
    api.login(participant)
    response = api.post(in_contest(contest, "/attempts"))
    assert response.status_code == 403
    assert response.get_json()["error"] == "quiz_closed"


def test_no_attempts_left_is_429(playing, contest):
    for _ in range(contest.max_attempts_total):
        attempt = start(playing, contest)
        assert playing.post(f"/attempts/{attempt['id']}/submit").status_code == 200
    response = playing.post(in_contest(contest, "/attempts"))
    assert response.status_code == 429
    assert response.get_json()["error"] == "no_attempts_left"


def test_per_day_limit_resets_on_the_next_local_day(api, participant, frozen_clock, db_session):
    make_questions(30)
    contest = make_contest(frozen_clock.now, max_attempts_per_day=1)
    api.login(participant)
    attempt = start(api, contest)
    api.post(f"/attempts/{attempt['id']}/submit")
    assert api.post(in_contest(contest, "/attempts")).status_code == 429
    frozen_clock.advance(days=1)
    assert api.post(in_contest(contest, "/attempts")).status_code == 201


def test_bank_too_small_is_503(api, participant, frozen_clock, db_session):
    make_questions(5)
    contest = make_contest(frozen_clock.now)
    api.login(participant)
    response = api.post(in_contest(contest, "/attempts"))
    assert response.status_code == 503
    assert response.get_json()["error"] == "bank_too_small"


def test_anonymous_cannot_start(api, contest):
    response = api.post(in_contest(contest, "/attempts"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "not_authenticated"


def test_mutating_call_without_csrf_header_is_refused(playing, contest):
    response = playing.client.post("/api/v1" + in_contest(contest, "/attempts"))
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf_failed"


def test_answers_are_saved_changed_and_returned_on_resume(playing, contest):
    body = start(playing, contest)
    question = body["questions"][0]
    first, second = question["choices"][0]["id"], question["choices"][1]["id"]
    path = f"/attempts/{body['id']}/answers/{question['id']}"
    assert playing.put(path, json={"choice_id": first}).status_code == 200
    assert playing.put(path, json={"choice_id": second}).status_code == 200
    resumed = playing.get(f"/attempts/{body['id']}").get_json()
    assert resumed["answers"] == {str(question["id"]): second}
    assert resumed["questions"] == body["questions"]


def test_choice_of_another_question_is_422(playing, contest):
    body = start(playing, contest)
    q1, q2 = body["questions"][:2]
    response = playing.put(
        f"/attempts/{body['id']}/answers/{q1['id']}", json={"choice_id": q2["choices"][0]["id"]}
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_choice"


def test_question_not_in_the_round_is_422(playing, db_session, contest):
    body = start(playing, contest)
    served = {q["id"] for q in body["questions"]}
    outsider = next(q for q in make_questions(1) if q.id not in served)
    response = playing.put(
        f"/attempts/{body['id']}/answers/{outsider.id}",
        json={"choice_id": outsider.choices[0].id},
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == "question_not_in_round"


@pytest.mark.parametrize(
    "payload", [{"choice_id": "3"}, {"choice_id": True}, {}, {"choice_id": None}]
)
def test_malformed_choice_is_422(playing, payload, contest):
    body = start(playing, contest)
    question = body["questions"][0]
    response = playing.put(f"/attempts/{body['id']}/answers/{question['id']}", json=payload)
    assert response.status_code == 422


def test_body_that_is_not_a_json_object_is_400(playing, contest):
    body = start(playing, contest)
    question = body["questions"][0]
    response = playing.client.put(
        f"/api/v1/attempts/{body['id']}/answers/{question['id']}",
        data="choice=1",
        headers={"X-CSRFToken": playing.csrf_token, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_json"


def test_save_after_submit_is_409(playing, contest):
    body = start(playing, contest)
    playing.post(f"/attempts/{body['id']}/submit")
    question = body["questions"][0]
    response = playing.put(
        f"/attempts/{body['id']}/answers/{question['id']}",
        json={"choice_id": question["choices"][0]["id"]},
    )
    assert response.status_code == 409
    assert response.get_json()["error"] == "round_closed"


def test_save_after_the_deadline_is_409(playing, frozen_clock, contest):
    body = start(playing, contest)
    question = body["questions"][0]
    frozen_clock.advance(seconds=contest.round_time_limit_seconds, milliseconds=1)
    response = playing.put(
        f"/attempts/{body['id']}/answers/{question['id']}",
        json={"choice_id": question["choices"][0]["id"]},
    )
    assert response.status_code == 409


def test_save_exactly_at_the_deadline_is_kept(playing, frozen_clock, contest):
    body = start(playing, contest)
    question = body["questions"][0]
    frozen_clock.advance(seconds=contest.round_time_limit_seconds)
    response = playing.put(
        f"/attempts/{body['id']}/answers/{question['id']}",
        json={"choice_id": question["choices"][0]["id"]},
    )
    assert response.status_code == 200


def test_another_participants_round_is_404_everywhere(playing, api, contest, db_session):
    body = start(playing, contest)
    question = body["questions"][0]
    other = make_user(unit=make_unit())
    api.client.delete("/api/v1/session", headers={"X-CSRFToken": playing.csrf_token})
    api.login(other)
    calls = [
        api.get(f"/attempts/{body['id']}"),
        api.put(
            f"/attempts/{body['id']}/answers/{question['id']}",
            json={"choice_id": question["choices"][0]["id"]},
        ),
        api.post(f"/attempts/{body['id']}/submit"),
    ]
    missing = api.get("/attempts/999999")
    for response in calls:
        assert response.status_code == 404
        assert response.get_json() == missing.get_json()


def test_submit_grades_and_is_idempotent(playing, frozen_clock, contest):
    body = start(playing, contest)
    key = correct_choice_ids(body["id"])
    for question in body["questions"][:4]:
        playing.put(
            f"/attempts/{body['id']}/answers/{question['id']}",
            json={"choice_id": key[question["id"]]},
        )
    wrong = body["questions"][4]
    wrong_choice = next(c["id"] for c in wrong["choices"] if c["id"] != key[wrong["id"]])
    playing.put(f"/attempts/{body['id']}/answers/{wrong['id']}", json={"choice_id": wrong_choice})
    frozen_clock.advance(seconds=83, milliseconds=456)
    first = playing.post(f"/attempts/{body['id']}/submit")
    frozen_clock.advance(seconds=30)
    second = playing.post(f"/attempts/{body['id']}/submit")
    assert first.status_code == second.status_code == 200
    result = first.get_json()["result"]
    assert result["correct_count"] == 4
    assert result["duration_ms"] == 83_456
    assert result["submitted_automatically"] is False
    assert second.get_json()["result"] == result
    assert first.get_json()["state"] == "submitted"


def test_submit_within_grace_counts_as_submitted_at_the_deadline(playing, frozen_clock, contest):
    body = start(playing, contest)
    frozen_clock.advance(seconds=contest.round_time_limit_seconds + 3)
    response = playing.post(f"/attempts/{body['id']}/submit").get_json()
    assert response["state"] == "submitted"
    assert response["result"]["duration_ms"] == contest.round_time_limit_seconds * 1000


def test_round_left_open_is_graded_on_next_access(playing, frozen_clock, contest):
    body = start(playing, contest)
    key = correct_choice_ids(body["id"])
    question = body["questions"][0]
    playing.put(
        f"/attempts/{body['id']}/answers/{question['id']}",
        json={"choice_id": key[question["id"]]},
    )
    frozen_clock.advance(seconds=contest.round_time_limit_seconds + 6)
    info = playing.get(in_contest(contest)).get_json()
    assert info["active_attempt_id"] is None
    graded = playing.get(f"/attempts/{body['id']}").get_json()
    assert graded["state"] == "expired"
    assert graded["result"]["correct_count"] == 1
    assert graded["result"]["submitted_automatically"] is True
    assert graded["result"]["duration_ms"] == contest.round_time_limit_seconds * 1000


@pytest.mark.parametrize(
    ("policy", "revealed"),
    [
        (ReviewPolicy.AFTER_SUBMIT, True),
        (ReviewPolicy.NEVER, False),
        (ReviewPolicy.AFTER_CLOSE, False),
    ],
)
def test_answer_key_follows_the_review_policy(playing, contest, policy, revealed):
    contest.review_policy = policy
    body = start(playing, contest)
    submitted = playing.post(f"/attempts/{body['id']}/submit").get_json()
    assert (submitted["result"]["correct_choices"] is not None) is revealed
    if revealed:
        assert submitted["result"]["correct_choices"] == {
            str(qid): cid for qid, cid in correct_choice_ids(body["id"]).items()
        }


def test_answer_key_after_close_is_shown_once_the_quiz_closed(playing, contest, frozen_clock):
    body = start(playing, contest)
    playing.post(f"/attempts/{body['id']}/submit")
    frozen_clock.now = contest.quiz_closes_at
    assert playing.get(f"/attempts/{body['id']}").get_json()["result"]["correct_choices"]


def test_new_round_prefers_unseen_questions(playing, contest):
    first = start(playing, contest)
    playing.post(f"/attempts/{first['id']}/submit")
    second = start(playing, contest)
    assert not {q["id"] for q in first["questions"]} & {q["id"] for q in second["questions"]}


def test_contest_reports_allowance_and_active_round(playing, contest):
    body = start(playing, contest)
    info = playing.get(in_contest(contest)).get_json()
    assert info["active_attempt_id"] == body["id"]
    assert info["attempts"] == {
        "max_total": 3,
        "max_per_day": None,
        "used_total": 1,
        "used_today": 1,
        "left": 2,
    }
    assert info["quiz"]["is_open"] is True


def test_contest_for_anonymous_has_no_allowance(api, contest):
    info = api.get(in_contest(contest)).get_json()
    assert info["attempts"] is None
    assert info["active_attempt_id"] is None


def test_errors_speak_vietnamese_by_default_and_english_on_request(api, contest):
    vietnamese = api.post(in_contest(contest, "/attempts")).get_json()["message"]
    english = api.post(
        in_contest(contest, "/attempts"), headers={"Accept-Language": "en"}
    ).get_json()["message"]
    assert vietnamese == "Vui lòng đăng nhập trước."
    assert english == "Please log in first."


def test_state_of_attempt_rows_after_submit(playing, db_session, contest):
    body = start(playing, contest)
    playing.post(f"/attempts/{body['id']}/submit")
    attempt = db_session.get(Attempt, body["id"])
    assert attempt.state is AttemptState.SUBMITTED
    assert attempt.submitted_at is not None
    assert attempt.finished_at == attempt.submitted_at


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.JUDGE])
def test_only_participants_start_rounds(api, contest, role):
    api.login(make_user(role))
    response = api.post(in_contest(contest, "/attempts"))
    assert response.status_code == 403
    assert response.get_json()["error"] == "not_a_participant"


def test_a_huge_body_is_refused_with_413_and_saves_nothing(playing, app, db_session, contest):
    body = start(playing, contest)
    question = body["questions"][0]
    response = playing.client.put(
        f"/api/v1/attempts/{body['id']}/answers/{question['id']}",
        data=b'{"choice_id": 1, "padding": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
        headers={"X-CSRFToken": playing.csrf_token, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"
    assert playing.get(f"/attempts/{body['id']}").get_json()["answers"] == {}


def test_unknown_api_path_and_method_are_json_errors(api, contest):
    missing = api.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json()["error"] == "not_found"
    wrong_method = api.delete("/contest")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"] == "method_not_allowed"


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=abc", "offset=-1", "offset=x"])
def test_leaderboard_refuses_bad_paging_with_422(api, contest, query):
    response = api.get(in_contest(contest, f"/leaderboard?{query}"))
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_limit"


def test_flask_limiters_global_check_is_off_while_no_limit_needs_it(app):
    from contest.extensions import limiter

    # Every limit sits on its view; the global hook would only add default limits.
    assert limiter._check_request_limit not in app.before_request_funcs[None]


def test_the_quiz_limit_counts_per_user_and_endpoint(app, playing, contest, monkeypatch):
    monkeypatch.setitem(app.config, "QUIZ_API_RATE_LIMIT", "2 per minute")
    assert playing.get(in_contest(contest, "")).status_code == 200
    assert playing.get(in_contest(contest, "")).status_code == 200
    limited = playing.get(in_contest(contest, ""))
    assert limited.status_code == 429
    assert limited.get_json()["error"] == "rate_limited"
    assert playing.post(in_contest(contest, "/attempts")).status_code == 201  # its own count
