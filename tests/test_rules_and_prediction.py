"""Organizers set the ranking and prize rules; participants answer the prediction question,
whose true value then breaks ties in the individual ranking."""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from contest.domain.ranking import RoundResult, rank_participants
from contest.extensions import db
from contest.models import AuditEntry, Prediction, PrizeTierRow, ResultsSnapshot, Role
from contest.results.services import individual_leaderboard
from contest.results.standings import compute_standings
from tests.helpers import (
    ApiClient,
    form_token,
    graded_round,
    in_contest,
    make_contest,
    make_unit,
    make_user,
)

SLUG = "the-rules"
RULES = in_contest(SLUG, "/organizer/results-rules")


def rules_form(client, path: str = RULES) -> dict:
    """The rules page's fields as the browser would send them back unchanged."""
    html = client.get(path).get_data(as_text=True)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if "name" not in attributes or attributes["name"] == "csrf_token":
            continue
        if attributes.get("type") == "checkbox" and " checked" not in tag:
            continue
        fields[attributes["name"]] = attributes.get("value", "")
    for name, options in re.findall(r'<select[^>]*name="([\w-]+)"[^>]*>(.*?)</select>', html, re.S):
        fields[name] = re.search(r'<option selected value="([^"]*)"', options).group(1)
    for name, text in re.findall(r'<textarea[^>]*name="([\w-]+)"[^>]*>\s*([^<]*)</textarea>', html):
        fields[name] = text
    fields["csrf_token"] = form_token(client, RULES)
    return fields


def tiers_of(contest) -> list[tuple]:
    rows = db.session.query(PrizeTierRow).filter_by(contest_id=contest.id)
    return sorted((r.category, r.position, r.name, r.prize_count, r.amount) for r in rows)


@pytest.fixture
def organizer_client(client, db_session, frozen_clock):
    contest = make_contest(frozen_clock.now - timedelta(days=1), slug=SLUG)
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)
    return client, contest


def test_the_rules_page_shows_the_seed_table_and_saves_changes_with_a_log(organizer_client):
    client, contest = organizer_client
    html = client.get(RULES).get_data(as_text=True)
    assert "Giải Nhất" in html
    assert 'value="10.000.000"' in html
    fields = rules_form(client)
    first_unit_row = next(k for k, v in fields.items() if v == "Giải Nhất").rsplit("-", 1)[0]
    fields |= {"weight_participation": "20", "weight_accuracy": "30", "weight_video": "50"}
    fields[f"{first_unit_row}-amount"] = "12.000.000 đ"  # typed as people write money
    blank = next(k for k, v in fields.items() if k.endswith("-name") and v == "")
    row = blank.rsplit("-", 1)[0]
    fields |= {f"{row}-category": "individual", f"{row}-name": "Giải phụ cá nhân"}
    fields |= {f"{row}-prize_count": "3", f"{row}-amount": "200000"}
    video_row = next(k for k, v in fields.items() if v == "Giải video").rsplit("-", 1)[0]
    fields[f"{video_row}-remove"] = "y"
    fields["max_individual_prizes_per_unit"] = "2"
    response = client.post(RULES, data=fields)
    assert response.status_code == 302
    db.session.expire_all()
    assert (contest.weight_participation, contest.weight_video) == (20, 50)
    assert contest.max_individual_prizes_per_unit == 2
    assert tiers_of(contest) == [
        ("individual", 1, "Giải cá nhân", 10, 500_000),
        ("individual", 2, "Giải phụ cá nhân", 3, 200_000),
        ("unit", 1, "Giải Nhất", 1, 12_000_000),
        ("unit", 2, "Giải Nhì", 2, 7_000_000),
        ("unit", 3, "Giải Ba", 3, 5_000_000),
        ("unit", 4, "Giải Khuyến khích", 4, 3_000_000),
    ]
    entry = db.session.query(AuditEntry).filter_by(action="results_rules_changed").one()
    assert entry.details["weights"] == [[30, 30, 40], [20, 30, 50]]
    assert set(entry.details) == {"weights", "max_individual_prizes_per_unit", "prizes"}
    # The standings follow at once: no video prizes, the new amounts.
    prizes = compute_standings(contest).prizes
    assert prizes.total_by_category["video"] == 0
    # Saving again unchanged logs nothing more.
    assert client.post(RULES, data=rules_form(client)).status_code == 302
    assert db.session.query(AuditEntry).filter_by(action="results_rules_changed").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weight_video": "50"}, "Ba trọng số phải là số nguyên có tổng bằng 100."),
        ({"weight_video": "bốn mươi"}, "Hãy nhập một số nguyên."),
        ({"max_individual_prizes_per_unit": "0"}, "Từ 1 đến 1000."),
        ({"prediction_true_value": "-3"}, "Nhập một số nguyên, từ 0 trở lên."),
    ],
)
def test_bad_rules_are_refused_with_a_message_and_change_nothing(
    organizer_client, changes, message
):
    client, contest = organizer_client
    before = tiers_of(contest)
    response = client.post(RULES, data=rules_form(client) | changes)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (contest.weight_participation, contest.weight_accuracy, contest.weight_video) == (
        30,
        30,
        40,
    )
    assert tiers_of(contest) == before
    assert db.session.query(AuditEntry).count() == 0


def test_a_tier_without_amount_or_count_is_refused(organizer_client):
    client, contest = organizer_client
    fields = rules_form(client)
    blank = next(k for k, v in fields.items() if k.endswith("-name") and v == "")
    row = blank.rsplit("-", 1)[0]
    fields |= {f"{row}-name": "Giải mới", f"{row}-amount": "mười triệu"}
    html = client.post(RULES, data=fields).get_data(as_text=True)
    assert "Nhập số tiền bằng đồng, ví dụ 10.000.000." in html
    assert "Hãy cho biết số giải của hạng này." in html
    assert len(tiers_of(contest)) == 6


def test_rules_are_frozen_with_approved_results_and_the_true_value_waits_for_the_close(
    organizer_client,
):
    client, contest = organizer_client
    fields = rules_form(client) | {"prediction_question": "Bao nhiêu người đúng 10/10?"}
    fields["prediction_true_value"] = "42"
    html = client.post(RULES, data=fields, follow_redirects=True).get_data(as_text=True)
    assert "Đáp số của câu hỏi dự đoán chỉ được nhập sau khi phần thi trắc nghiệm kết thúc." in html
    assert contest.prediction_true_value is None
    db.session.add(ResultsSnapshot(contest_id=contest.id, content={}))
    db.session.commit()
    fields = rules_form(client) | {"weight_video": "40", "prediction_question": "Câu hỏi?"}
    html = client.post(RULES, data=fields, follow_redirects=True).get_data(as_text=True)
    assert "Kết quả đã được phê duyệt" in html
    db.session.expire_all()
    assert contest.prediction_question is None


def test_only_organizers_reach_the_rules(client, db_session):
    make_contest(slug=SLUG)
    db.session.commit()
    assert client.get(RULES).status_code == 302  # to the login page
    for role in (Role.PARTICIPANT, Role.JUDGE, Role.UNIT_ADMIN):
        ApiClient(client).login(make_user(role, unit=make_unit()))
        assert client.get(RULES).status_code == 403
        token = form_token(client, "/")
        forged = {"csrf_token": token, "weight_video": "100"}
        assert client.post(RULES, data=forged).status_code == 403


# The participant's prediction


@pytest.fixture
def predicting(client, db_session, frozen_clock):
    contest = make_contest(
        frozen_clock.now - timedelta(days=1),
        slug=SLUG,
        prediction_question="Bao nhiêu thí sinh trả lời đúng cả 10 câu?",
    )
    participant = make_user(unit=make_unit())
    db.session.commit()
    ApiClient(client).login(participant)
    return client, contest, participant


def post_prediction(client, value: str):
    token = form_token(client, in_contest(SLUG, "/quiz/"))
    return client.post(
        in_contest(SLUG, "/quiz/prediction"),
        data={"csrf_token": token, "value": value},
        follow_redirects=True,
    )


def test_a_participant_gives_and_changes_a_prediction(predicting, frozen_clock):
    client, contest, participant = predicting
    home = client.get(in_contest(SLUG, "/quiz/")).get_data(as_text=True)
    assert "Bao nhiêu thí sinh trả lời đúng cả 10 câu?" in home
    assert "Đã lưu dự đoán của bạn." in post_prediction(client, "120").get_data(as_text=True)
    frozen_clock.advance(minutes=5)
    html = post_prediction(client, "135").get_data(as_text=True)
    assert "Dự đoán của bạn: 135" in html
    prediction = db.session.get(Prediction, (contest.id, participant.id))
    assert (prediction.value, prediction.made_at) == (135, frozen_clock.now)


@pytest.mark.parametrize("value", ["", "abc", "-1", "1e9999", "12.5"])
def test_a_prediction_that_is_not_a_whole_number_is_refused(predicting, value):
    client, contest, participant = predicting
    html = post_prediction(client, value).get_data(as_text=True)
    assert "Nhập một số nguyên, từ 0 trở lên." in html
    assert db.session.get(Prediction, (contest.id, participant.id)) is None


def test_no_prediction_after_the_close_or_without_a_question(predicting, frozen_clock):
    client, contest, participant = predicting
    frozen_clock.now = contest.quiz_closes_at
    html = post_prediction(client, "7").get_data(as_text=True)
    assert "Phần thi trắc nghiệm hiện chưa mở." in html
    frozen_clock.now = contest.quiz_closes_at - timedelta(hours=1)
    contest.prediction_question = None
    db.session.commit()
    assert "không có câu hỏi dự đoán" in post_prediction(client, "7").get_data(as_text=True)
    assert db.session.get(Prediction, (contest.id, participant.id)) is None
    forged = client.post(
        in_contest(SLUG, "/quiz/prediction"), data={"value": "7"}, follow_redirects=True
    )
    assert db.session.get(Prediction, (contest.id, participant.id)) is None
    assert forged.status_code == 400  # no CSRF token


# Predictions in the ranking


def test_the_sql_ranking_breaks_ties_by_prediction_as_the_domain_does(db_session):
    contest = make_contest(prediction_question="Bao nhiêu?")
    unit = make_unit()
    people = [make_user(unit=unit) for _ in range(30)]
    rng = random.Random(46)
    base = datetime(2021, 10, 1, tzinfo=UTC)
    results, predictions = [], {}
    for person in people:
        for _ in range(rng.randint(1, 3)):
            attempt = graded_round(
                contest,
                person,
                rng.choice([8, 9, 10]),
                rng.choice([40_000, 50_000]),
                base + timedelta(seconds=rng.choice([0, 10])),
            )
            results.append(
                RoundResult(
                    person.id,
                    attempt.id,
                    attempt.correct_count,
                    attempt.duration_ms,
                    attempt.finished_at,
                )
            )
        if rng.random() < 0.7:  # some predicted nothing
            predictions[person.id] = rng.choice([10, 12, 15, 20])
            db.session.add(
                Prediction(contest_id=contest.id, user_id=person.id, value=predictions[person.id])
            )
    db.session.flush()

    def sql_lines():
        return [(line.rank, line.participant_id) for line in individual_leaderboard(contest, 100)]

    # Before the true value is known the predictions change nothing.
    assert sql_lines() == [
        (line.rank, line.result.participant_id) for line in rank_participants(results)
    ]
    contest.prediction_true_value = 13
    db.session.flush()
    expected = rank_participants(results, predictions, 13)
    assert sql_lines() == [(line.rank, line.result.participant_id) for line in expected]
    for offset in range(len(expected)):
        line = individual_leaderboard(contest, limit=1, offset=offset)[0]
        assert (line.rank, line.participant_id) == (
            expected[offset].rank,
            expected[offset].result.participant_id,
        )
    distances = [line.prediction_distance for line in individual_leaderboard(contest, 100)]
    assert distances == [line.prediction_distance for line in expected]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12.000.000 đ", 12_000_000),
        ("12000000", 12_000_000),
        ("12 000 000", 12_000_000),
        ("12,000,000", 12_000_000),
        ("500.000đ", 500_000),
        ("1,5", None),  # dong have no cents: refused, not read as 15
        ("12.000,000", None),  # mixed separators
        ("12.00.000", None),
        ("-5", None),
        ("1" + "0" * 13, None),  # over a trillion: a typing mistake
    ],
)
def test_prize_amounts_are_read_as_people_type_them(organizer_client, typed, amount):
    client, contest = organizer_client
    fields = rules_form(client)
    row = next(k for k, v in fields.items() if v == "Giải Nhất").rsplit("-", 1)[0]
    response = client.post(RULES, data=fields | {f"{row}-amount": typed})
    db.session.expire_all()
    first = next(tier for tier in contest.prize_table if tier.name == "Giải Nhất")
    if amount is None:
        assert response.status_code == 200
        assert "Nhập số tiền bằng đồng, ví dụ 10.000.000." in response.get_data(as_text=True)
        assert first.amount == 10_000_000
    else:
        assert response.status_code == 302
        assert first.amount == amount
