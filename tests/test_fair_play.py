"""Plausibility at grading, the review queue, the decisions and the approval that waits for them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from contest.domain.prizes import INDIVIDUAL
from contest.extensions import db
from contest.models import (
    Answer,
    Attempt,
    AuditEntry,
    BestRound,
    ExcludedParticipant,
    PrizeTierRow,
    ReviewDecision,
    Role,
    RoundReview,
)
from contest.quiz.services import expire_overdue_attempts, rebuild_best_rounds
from contest.results import workflow
from contest.results.services import individual_leaderboard
from contest.results.standings import compute_standings
from contest.review import services as review
from tests.helpers import (
    ApiClient,
    flagged_round,
    form_token,
    graded_round,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)


@pytest.fixture
def contest(db_session, frozen_clock):
    make_questions(40)
    contest = make_contest(frozen_clock.now, max_attempts_total=20)
    db.session.commit()
    return contest


def key_of(attempt_id: int) -> dict[int, int]:
    attempt = db.session.get(Attempt, attempt_id)
    return {sq.question_id: sq.question.correct_choice.id for sq in attempt.served}


def play(api, contest, clock, gaps: list[float], submit_after: float = 1) -> dict:
    """Start a round, answer every question correctly, each after its gap (seconds), submit."""
    body = api.post(in_contest(contest, "/attempts")).get_json()
    key = key_of(body["id"])
    for question, gap in zip(body["questions"], gaps, strict=True):
        clock.advance(seconds=gap)
        path = f"/attempts/{body['id']}/answers/{question['id']}"
        assert api.put(path, json={"choice_id": key[question["id"]]}).status_code == 200
    clock.advance(seconds=submit_after)
    response = api.post(f"/attempts/{body['id']}/submit")
    assert response.status_code == 200
    return response.get_json()


SCRIPTED = [0.005] * 10  # every answer saved at once
HUMAN = [9.0, 14.5, 7.2, 21.0, 11.3, 8.8, 16.1, 12.4, 6.9, 18.0]


def test_a_scripted_round_is_flagged_and_not_ranked_and_sees_no_key(api, contest, frozen_clock):
    scripter = make_user(unit=make_unit())
    api.login(scripter)
    graded = play(api, contest, frozen_clock, SCRIPTED)
    assert graded["result"]["correct_count"] == 10
    assert graded["result"]["correct_choices"] is None  # the contest is open
    flagged = db.session.get(RoundReview, graded["id"])
    assert "too_fast" in flagged.flags
    assert flagged.held
    assert flagged.decision is ReviewDecision.PENDING
    assert db.session.get(BestRound, (contest.id, scripter.id)) is None
    assert individual_leaderboard(contest, limit=10) == []
    assert api.get(in_contest(contest, "/leaderboard")).get_json()["lines"] == []
    page = api.client.get(in_contest(contest, f"/quiz/attempts/{graded['id']}"))
    assert 'data-testid="round-standing"' in page.get_data(as_text=True)
    timeline = flagged.evidence["answers"]
    assert len(timeline) == 10
    assert all(line["too_fast"] for line in timeline[1:])


def test_a_round_at_a_human_pace_is_not_flagged_and_ranks(api, contest, frozen_clock):
    person = make_user(unit=make_unit())
    api.login(person)
    graded = play(api, contest, frozen_clock, HUMAN)
    assert db.session.get(RoundReview, graded["id"]) is None
    assert db.session.get(BestRound, (contest.id, person.id)).attempt_id == graded["id"]


def test_a_changed_answer_keeps_its_first_save(api, contest, frozen_clock):
    api.login(make_user(unit=make_unit()))
    body = api.post(in_contest(contest, "/attempts")).get_json()
    question = body["questions"][0]
    path = f"/attempts/{body['id']}/answers/{question['id']}"
    first = frozen_clock.advance(seconds=12)
    assert api.put(path, json={"choice_id": question["choices"][0]["id"]}).status_code == 200
    later = frozen_clock.advance(seconds=30)
    assert api.put(path, json={"choice_id": question["choices"][1]["id"]}).status_code == 200
    answer = db.session.scalar(select(Answer).where(Answer.attempt_id == body["id"]))
    assert (answer.first_saved_at, answer.saved_at) == (first, later)
    assert answer.choice_id == question["choices"][1]["id"]


def test_the_device_cookie_is_set_kept_and_flags_many_accounts_on_one_browser(
    app, contest, frozen_clock
):
    browser = ApiClient(app.test_client())  # one browser, its cookies kept across logins
    rounds = []
    for _ in range(contest.flag_device_accounts):
        browser.login(make_user(unit=make_unit()))
        rounds.append(play(browser, contest, frozen_clock, HUMAN))
        frozen_clock.advance(minutes=5)
    cookie = browser.client.get_cookie("device")
    assert cookie.http_only
    assert len(cookie.value) == 32
    devices = {db.session.get(Attempt, r["id"]).device_id for r in rounds}
    assert devices == {cookie.value}
    assert [db.session.get(RoundReview, r["id"]) is None for r in rounds] == [True, True, False]
    shared = db.session.get(RoundReview, rounds[-1]["id"])
    assert shared.flags == ["shared_device"]
    assert not shared.held  # ranked while it waits for review
    assert db.session.get(BestRound, (contest.id, shared.user_id)) is not None


def test_a_burst_from_one_address_only_adds_evidence(app, contest, frozen_clock):
    contest.flag_address_rounds = 2
    db.session.commit()
    honest, scripted = ApiClient(app.test_client()), ApiClient(app.test_client())
    honest.login(make_user(unit=make_unit()))
    scripted.login(make_user(unit=make_unit()))
    human = play(honest, contest, frozen_clock, HUMAN)
    script = play(scripted, contest, frozen_clock, SCRIPTED)
    assert db.session.get(Attempt, human["id"]).client_address == "127.0.0.1"
    assert db.session.get(RoundReview, human["id"]) is None  # one address, a human pace
    flags = db.session.get(RoundReview, script["id"]).flags
    assert flags == ["too_fast", "regular_timing", "address_burst"]  # gaps of exactly 5 ms


def test_the_thresholds_are_the_contests_own(api, contest, frozen_clock):
    contest.floor_reading_chars_per_second = 1  # a question then takes minutes to "read"
    db.session.commit()
    api.login(make_user(unit=make_unit()))
    graded = play(api, contest, frozen_clock, HUMAN)
    assert db.session.get(RoundReview, graded["id"]).flags == ["too_fast"]


# Decisions


NOW = datetime(2026, 10, 16, tzinfo=UTC)


@pytest.fixture
def closed_contest(db_session):
    """A closed contest: 12 honest participants (60-71 s, all correct), and 10 individual
    prizes (its only ones: no unit ties to decide before approving)."""
    contest = make_contest(NOW - timedelta(days=30), quiz_closes_at=NOW - timedelta(hours=1))
    contest.prize_table = [
        PrizeTierRow(
            category=INDIVIDUAL, name="Giải cá nhân", prize_count=10, amount=500_000, position=0
        )
    ]
    for n in range(12):
        person = make_user(unit=make_unit())
        graded_round(contest, person, 10, 60_000 + 1000 * n, NOW - timedelta(days=2))
    db.session.flush()
    return contest


def best_of(contest, user) -> int | None:
    best = db.session.get(BestRound, (contest.id, user.id))
    return None if best is None else best.attempt_id


def test_accepting_a_held_round_ranks_it_and_is_logged(closed_contest):
    organizer = make_user(Role.ORGANIZER)
    scripter = make_user(unit=make_unit())
    honest = graded_round(closed_contest, scripter, 9, 90_000, NOW - timedelta(days=3))
    held = flagged_round(closed_contest, scripter, 10, 5_000, NOW)
    assert best_of(closed_contest, scripter) == honest.id
    line = review.review_queue(closed_contest)[0]
    assert (line.attempt.id, line.place) == (held.id, 1)

    review.decide_round(line.review, review.ACCEPT, "Đã xác minh trực tiếp", organizer, NOW)
    assert best_of(closed_contest, scripter) == held.id
    assert individual_leaderboard(closed_contest, limit=1)[0].participant_id == scripter.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round_review_decided"))
    assert entry.actor_id == organizer.id
    assert entry.target == f"attempt:{held.id}"
    assert entry.details["decision"] == "accept"
    assert entry.details["reason"] == "Đã xác minh trực tiếp"


def test_excluding_the_best_round_falls_back_to_the_next_one(closed_contest):
    organizer = make_user(Role.ORGANIZER)
    person = make_user(unit=make_unit())
    slower = graded_round(closed_contest, person, 10, 80_000, NOW - timedelta(days=3))
    shared = flagged_round(closed_contest, person, 10, 30_000, NOW, held=False)
    assert best_of(closed_contest, person) == shared.id  # ranked while it waits

    decision = db.session.get(RoundReview, shared.id)
    review.decide_round(decision, review.EXCLUDE_ROUND, "Chơi hộ đồng nghiệp", organizer, NOW)
    assert best_of(closed_contest, person) == slower.id
    assert decision.decision is ReviewDecision.EXCLUDED
    assert decision.reason == "Chơi hộ đồng nghiệp"
    rebuild_best_rounds(closed_contest.id)  # the whole rebuild agrees
    assert best_of(closed_contest, person) == slower.id


def test_excluding_the_participant_takes_every_round_out(closed_contest):
    organizer = make_user(Role.ORGANIZER)
    person = make_user(unit=make_unit())
    graded_round(closed_contest, person, 10, 61_500, NOW - timedelta(days=3))
    first = flagged_round(closed_contest, person, 10, 4_000, NOW)
    second = flagged_round(closed_contest, person, 10, 3_000, NOW)
    review.decide_round(
        db.session.get(RoundReview, first.id),
        review.EXCLUDE_PARTICIPANT,
        "Dùng công cụ tự động",
        organizer,
        NOW,
    )
    assert best_of(closed_contest, person) is None
    assert db.session.get(ExcludedParticipant, (closed_contest.id, person.id)).reason == (
        "Dùng công cụ tự động"
    )
    assert db.session.get(RoundReview, second.id).decision is ReviewDecision.EXCLUDED
    rebuild_best_rounds(closed_contest.id)
    assert best_of(closed_contest, person) is None
    ranked = [line.participant_id for line in individual_leaderboard(closed_contest, limit=50)]
    assert person.id not in ranked


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_decision_needs_a_reason(closed_contest, reason):
    person = make_user(unit=make_unit())
    held = flagged_round(closed_contest, person, 10, 5_000, NOW)
    with pytest.raises(review.ReviewRefused):
        review.decide_round(
            db.session.get(RoundReview, held.id), review.ACCEPT, reason, person, NOW
        )


def test_approval_waits_for_a_flagged_round_inside_the_prize_places(closed_contest):
    organizer = make_user(Role.ORGANIZER)
    person = make_user(unit=make_unit())
    held = flagged_round(closed_contest, person, 10, 5_000, NOW)
    with pytest.raises(workflow.ResultsRefused, match="bị đánh dấu"):
        workflow.approve_results(closed_contest, organizer, None, NOW)
    review.decide_round(
        db.session.get(RoundReview, held.id), review.EXCLUDE_ROUND, "Quá nhanh", organizer, NOW
    )
    assert workflow.approve_results(closed_contest, organizer, None, NOW) is not None


def test_a_flagged_round_outside_the_prize_places_does_not_hold_the_approval(closed_contest):
    organizer = make_user(Role.ORGANIZER)
    person = make_user(unit=make_unit())
    flagged_round(closed_contest, person, 3, 5_000, NOW)  # 3 correct: place 13, past the 10 prizes
    assert review.review_queue(closed_contest)[0].place == 13
    assert (
        review.undecided_prize_rounds(closed_contest, compute_standings(closed_contest).prizes)
        == []
    )
    assert workflow.approve_results(closed_contest, organizer, None, NOW) is not None


def test_a_decision_waits_for_approved_results_to_be_reopened(closed_contest):
    organizer = make_user(Role.ORGANIZER)
    person = make_user(unit=make_unit())
    held = flagged_round(closed_contest, person, 3, 5_000, NOW)
    workflow.approve_results(closed_contest, organizer, None, NOW)
    with pytest.raises(review.ReviewRefused):
        review.decide_round(
            db.session.get(RoundReview, held.id), review.ACCEPT, "Đúng", organizer, NOW
        )


# Pages


def test_the_queue_shows_the_evidence_and_records_a_decision_with_its_reason(
    client, closed_contest
):
    organizer = make_user(Role.ORGANIZER)
    person = make_user(unit=make_unit(), full_name="Nguyễn Văn Nhanh")
    held = flagged_round(closed_contest, person, 10, 5_000, NOW)
    db.session.commit()
    ApiClient(client).login(organizer)
    path = in_contest(closed_contest, "/organizer/review/")
    page = client.get(path).get_data(as_text=True)
    assert "Nguyễn Văn Nhanh" in page
    assert 'data-testid="would-be-place">1<' in page
    token = form_token(client, path)
    prefix = f"round-{held.id}-"
    refused = client.post(
        f"{path}{held.id}",
        data={f"{prefix}csrf_token": token, f"{prefix}decision": "accept", f"{prefix}reason": ""},
    )
    assert refused.status_code == 303
    assert db.session.get(RoundReview, held.id).decision is ReviewDecision.PENDING
    done = client.post(
        f"{path}{held.id}",
        data={
            f"{prefix}csrf_token": token,
            f"{prefix}decision": "exclude_round",
            f"{prefix}reason": "Trả lời 10 câu trong 5 giây",
        },
    )
    assert done.status_code == 303
    assert db.session.get(RoundReview, held.id).decision is ReviewDecision.EXCLUDED
    assert done.location.endswith("/organizer/review/?status=undecided&page=1")
    assert 'data-testid="decided-round"' not in client.get(path).get_data(as_text=True)
    excluded = client.get(f"{path}?status=excluded").get_data(as_text=True)
    assert 'data-testid="decided-round"' in excluded
    assert "Trả lời 10 câu trong 5 giây" in excluded
    assert 'data-testid="shown-at">lúc bắt đầu<' in excluded  # evidence kept before the reports


def test_the_participant_sees_why_a_round_was_excluded(client, closed_contest):
    organizer = make_user(Role.ORGANIZER)
    person = make_user(unit=make_unit())
    held = flagged_round(closed_contest, person, 10, 5_000, NOW)
    review.decide_round(
        db.session.get(RoundReview, held.id), review.EXCLUDE_ROUND, "Lý do rõ ràng", organizer, NOW
    )
    db.session.commit()
    ApiClient(client).login(person)
    page = client.get(in_contest(closed_contest, f"/quiz/attempts/{held.id}"))
    assert "Lý do rõ ràng" in page.get_data(as_text=True)


def test_another_contests_round_is_not_found_and_participants_may_not_review(
    client, closed_contest
):
    other = make_contest(NOW, slug="khac")
    person = make_user(unit=make_unit())
    held = flagged_round(closed_contest, person, 10, 5_000, NOW)
    db.session.commit()
    api = ApiClient(client)
    api.login(person)
    assert client.get(in_contest(closed_contest, "/organizer/review/")).status_code == 403
    api.login(make_user(Role.ORGANIZER))
    token = form_token(client, in_contest(other, "/organizer/review/"))
    missing = client.post(
        in_contest(other, f"/organizer/review/{held.id}"), data={"csrf_token": token}
    )
    assert missing.status_code == 404


def test_the_thresholds_are_set_on_the_settings_page_and_logged(client, contest):
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)
    path = in_contest(contest, "/organizer/settings/fair-play")
    values = {
        "floor_reading_chars_per_second": "60",
        "floor_motor_ms": "400",
        "flag_regular_cv_percent": "8",
        "flag_device_accounts": "4",
        "flag_address_rounds": "50",
        "flag_unshown_answers": "2",
    }
    bad = client.post(
        path,
        data={
            **values,
            "floor_reading_chars_per_second": "nhanh",
            "csrf_token": form_token(client, path),
        },
    )
    assert bad.status_code == 200
    assert contest.floor_reading_chars_per_second == 80
    saved = client.post(path, data={**values, "csrf_token": form_token(client, path)})
    assert saved.status_code == 302
    db.session.refresh(contest)
    assert contest.plausibility_thresholds().reading_chars_per_second == 60
    assert contest.flag_device_accounts == 4
    assert contest.plausibility_thresholds().unshown_answers == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "fair_play_changed"))
    assert entry.details["floor_motor_ms"] == [300, 400]


def test_a_round_graded_by_the_expiry_sweep_is_assessed_too(api, contest, frozen_clock):
    scripter = make_user(unit=make_unit())
    api.login(scripter)
    body = api.post(in_contest(contest, "/attempts")).get_json()
    key = key_of(body["id"])
    for question in body["questions"]:
        path = f"/attempts/{body['id']}/answers/{question['id']}"
        assert api.put(path, json={"choice_id": key[question["id"]]}).status_code == 200
    frozen_clock.advance(seconds=contest.round_time_limit_seconds + 6)
    assert expire_overdue_attempts(frozen_clock.now) == 1
    flagged = db.session.get(RoundReview, body["id"])
    assert flagged.held  # ten answers at the start, whatever the round's length
    assert db.session.get(BestRound, (contest.id, scripter.id)) is None


# Answers saved for questions never shown


def test_a_script_that_never_reports_questions_shown_is_held_at_a_human_pace(
    client, contest, frozen_clock
):
    script = ApiClient(client, reports_shown=False)
    script.login(make_user(unit=make_unit()))
    graded = play(script, contest, frozen_clock, HUMAN)
    flagged = db.session.get(RoundReview, graded["id"])
    assert flagged.flags == ["unshown_answers"]
    assert flagged.held
    assert flagged.evidence["unshown_answers"] == 10
    assert all(line["unshown"] and line["shown_ms"] is None for line in flagged.evidence["answers"])
    assert individual_leaderboard(contest, limit=10) == []
    page = script.client.get(in_contest(contest, f"/quiz/attempts/{graded['id']}"))
    standing = page.get_data(as_text=True)
    assert "trang làm bài chưa hiển thị" in standing  # not "faster than the checks allow"
    assert "nhanh hơn" not in standing


def test_an_answer_saved_before_its_question_was_reported_shown_is_evidence(
    client, contest, frozen_clock
):
    page = ApiClient(client, reports_shown=False)
    page.login(make_user(unit=make_unit()))
    body = page.post(in_contest(contest, "/attempts")).get_json()
    first, *others = [question["id"] for question in body["questions"]]
    page.report_shown(body, others)
    key = key_of(body["id"])
    frozen_clock.advance(seconds=20)
    assert page.put(f"/attempts/{body['id']}/answers/{first}", json={"choice_id": key[first]})
    frozen_clock.advance(seconds=5)
    late = page.report_shown(body, [first]).get_json()["shown"]
    assert late[str(first)] == frozen_clock.now.isoformat(timespec="milliseconds")[:23] + "Z"
    frozen_clock.advance(seconds=5)
    graded = page.post(f"/attempts/{body['id']}/submit").get_json()
    flagged = db.session.get(RoundReview, graded["id"])
    assert flagged.flags == ["unshown_answers"]
    (line,) = flagged.evidence["answers"]
    assert (line["first_saved_ms"], line["shown_ms"], line["unshown"]) == (20_000, 25_000, True)


def test_the_first_report_of_a_question_wins_and_bad_reports_are_refused(
    client, contest, frozen_clock
):
    page = ApiClient(client, reports_shown=False)
    page.login(make_user(unit=make_unit()))
    body = page.post(in_contest(contest, "/attempts")).get_json()
    ids = [question["id"] for question in body["questions"]]
    path = f"/attempts/{body['id']}/shown"
    first = page.post(path, json={"question_ids": ids[:2]}).get_json()["shown"]
    frozen_clock.advance(seconds=30)
    again = page.post(path, json={"question_ids": ids[:3]}).get_json()["shown"]
    assert again[str(ids[0])] == first[str(ids[0])] != again[str(ids[2])]
    db.session.expire_all()
    served = {sq.question_id: sq.shown_at for sq in db.session.get(Attempt, body["id"]).served}
    assert served[ids[0]] == frozen_clock.now - timedelta(seconds=30)
    assert served[ids[2]] == frozen_clock.now
    assert served[ids[3]] is None
    for bad in (
        {},
        {"question_ids": []},
        {"question_ids": "1"},
        {"question_ids": ["x"]},
        {"question_ids": [0]},
        {"question_ids": [True]},
        {"question_ids": ids * 11},
    ):
        refused = page.post(path, json=bad)
        assert refused.status_code == 422, bad
        assert refused.get_json()["error"] == "invalid_question_ids"
    assert page.post(path, json=[1]).status_code == 400
    foreign = page.post(path, json={"question_ids": [ids[0], 987654]})
    assert foreign.status_code == 422
    assert foreign.get_json()["error"] == "question_not_in_round"
    other = ApiClient(client.application.test_client())
    other.login(make_user(unit=make_unit()))
    assert other.post(path, json={"question_ids": ids[:1]}).status_code == 404
    assert page.post(f"/attempts/{body['id']}/submit").status_code == 200
    closed = page.post(path, json={"question_ids": ids[:1]})
    assert closed.status_code == 409
    assert closed.get_json()["error"] == "round_closed"


def test_the_unshown_threshold_is_the_contests_own(client, contest, frozen_clock):
    contest.flag_unshown_answers = 0
    db.session.commit()
    script = ApiClient(client, reports_shown=False)
    script.login(make_user(unit=make_unit()))
    off = play(script, contest, frozen_clock, HUMAN)
    assert db.session.get(RoundReview, off["id"]) is None
    contest.flag_unshown_answers = 3
    db.session.commit()
    body = script.post(in_contest(contest, "/attempts")).get_json()
    script.report_shown(body, [question["id"] for question in body["questions"][2:]])
    key = key_of(body["id"])
    for question, gap in zip(body["questions"], HUMAN, strict=True):
        frozen_clock.advance(seconds=gap)
        path = f"/attempts/{body['id']}/answers/{question['id']}"
        assert script.put(path, json={"choice_id": key[question["id"]]}).status_code == 200
    graded = script.post(f"/attempts/{body['id']}/submit").get_json()
    assert db.session.get(RoundReview, graded["id"]) is None  # two unshown, under three


def test_the_contest_tells_an_api_client_its_pace(api, contest, frozen_clock):
    contest.max_starts_per_hour = 2
    db.session.commit()
    path = in_contest(contest)
    anonymous = api.get(path).get_json()["pace"]
    assert anonymous == {
        "max_starts_per_hour": 2,
        "started_in_last_hour": None,
        "left": None,
        "next_start_at": None,
    }
    api.login(make_user(unit=make_unit()))
    assert api.get(path).get_json()["pace"]["left"] == 2
    first_start = frozen_clock.now
    for _ in range(2):
        started = api.post(in_contest(contest, "/attempts")).get_json()
        frozen_clock.advance(seconds=60)
        api.post(f"/attempts/{started['id']}/submit")
    pace = api.get(path).get_json()["pace"]
    assert (pace["started_in_last_hour"], pace["left"]) == (2, 0)
    assert pace["next_start_at"] == (first_start + timedelta(hours=1)).isoformat(
        timespec="milliseconds"
    ).replace("+00:00", "Z")
    # The exact moment: a second before it a start is refused, at it a start is allowed.
    frozen_clock.advance(seconds=3600 - 120 - 1)
    assert api.post(in_contest(contest, "/attempts")).status_code == 429
    frozen_clock.advance(seconds=1)
    assert api.post(in_contest(contest, "/attempts")).status_code == 201
    contest.max_starts_per_hour = None
    db.session.commit()
    assert api.get(path).get_json()["pace"] == {
        "max_starts_per_hour": None,
        "started_in_last_hour": 2,
        "left": None,
        "next_start_at": None,
    }


def test_the_queue_is_paged_and_filtered_by_status_and_flag(client, closed_contest):
    organizer = make_user(Role.ORGANIZER)
    fast = [
        flagged_round(closed_contest, make_user(unit=make_unit()), 10, 5_000 + n, NOW)
        for n in range(review.QUEUE_PAGE + 3)
    ]
    device = flagged_round(closed_contest, make_user(unit=make_unit()), 9, 90_000, NOW, held=False)
    for line, decision in ((fast[0], review.ACCEPT), (fast[1], review.EXCLUDE_ROUND)):
        review.decide_round(db.session.get(RoundReview, line.id), decision, "Lý do", organizer, NOW)
    db.session.commit()
    ApiClient(client).login(organizer)
    path = in_contest(closed_contest, "/organizer/review/")

    def rounds_on(query: str) -> list[int]:
        page = client.get(path + query)
        assert page.status_code == 200, query
        html = page.get_data(as_text=True)
        return [
            int(n) for n in re.findall(r'data-testid="flagged-round" data-attempt="(\d+)"', html)
        ] or [int(n) for n in re.findall(r'data-testid="decided-round" data-attempt="(\d+)"', html)]

    first = rounds_on("")
    assert len(first) == review.QUEUE_PAGE
    second = rounds_on("?page=2")
    assert len(second) == len(fast) - 2 + 1 - review.QUEUE_PAGE
    assert set(first) | set(second) == {line.id for line in fast[2:]} | {device.id}
    places = [
        int(n)
        for query in ("", "?page=2")
        for n in re.findall(
            r'would-be-place">(\d+)<', client.get(path + query).get_data(as_text=True)
        )
    ]
    assert places == sorted(places)  # the prize places first, across pages
    assert places[0] == 2 < places[-1]  # behind the accepted round
    assert rounds_on("?page=3") == []
    assert "Không còn lượt thi nào ở đây." in client.get(path + "?page=3").get_data(as_text=True)
    assert rounds_on("?flag=shared_device") == [device.id]
    assert rounds_on("?status=accepted") == [fast[0].id]
    assert rounds_on("?status=excluded") == [fast[1].id]
    assert rounds_on("?status=excluded&flag=shared_device") == []
    assert rounds_on("?status=accepted&flag=too_fast") == [fast[0].id]
    counts = client.get(path + "?flag=too_fast").get_data(as_text=True)
    assert f"({len(fast) - 2})" in counts
    # Bad values read as the defaults, an absurd page is not found: never a 500.
    for bad in ("?status=xoa", "?flag=%27;drop", "?page=-1", "?page=abc", "?status=&flag="):
        assert rounds_on(bad) == first, bad
    assert client.get(path + "?page=99999999999999999999").status_code == 404


def test_a_round_already_decided_keeps_its_decision(closed_contest):
    organizer = make_user(Role.ORGANIZER)
    held = flagged_round(closed_contest, make_user(unit=make_unit()), 10, 5_000, NOW)
    flagged = db.session.get(RoundReview, held.id)
    review.decide_round(flagged, review.EXCLUDE_ROUND, "Kịch bản", organizer, NOW)
    with pytest.raises(review.ReviewRefused):
        review.decide_round(flagged, review.ACCEPT, "Đổi ý", organizer, NOW)
    assert flagged.decision is ReviewDecision.EXCLUDED
    logged = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "round_review_decided")
    ).all()
    assert len(logged) == 1
