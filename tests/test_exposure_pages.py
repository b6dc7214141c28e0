"""The exposure budget on the draw-rules page, and the share of participants who have seen
each question on the statistics page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from contest.extensions import db
from contest.models import Attempt, AttemptState, DrawQuota, Role, ServedQuestion
from contest.questions.statistics import seen_counts
from tests.helpers import ApiClient, in_contest, make_contest, make_questions, make_unit, make_user

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2021, 9, 15, 0, 0, tzinfo=ZONE)


@pytest.fixture
def organizer_client(client, db_session, frozen_clock):
    frozen_clock.now = OPENS + timedelta(hours=10)
    ApiClient(client).login(make_user(Role.ORGANIZER))
    return client


@pytest.fixture
def contest(db_session):
    make_questions(30, topic="Chủ đề A")
    make_questions(20, topic="Chủ đề B")
    contest = make_contest(
        quiz_opens_at=OPENS,
        quiz_closes_at=OPENS + timedelta(days=3),
        max_attempts_per_day=1,
        max_starts_per_hour=None,
    )
    contest.draw_quotas = [DrawQuota(topic="Chủ đề A", question_count=4)]
    db_session.flush()
    return contest


def draw_rules_page(client, contest) -> str:
    response = client.get(in_contest(contest, "/organizer/questions/draw-rules"))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_draw_rules_page_shows_the_budget_per_topic_and_warns_above_the_share(
    organizer_client, contest
):
    page = draw_rules_page(organizer_client, contest)
    # 1 round a day x 3 days; A: 4 a round -> 12 of 30; B: the 6 free places -> 18 of 20.
    assert "tối đa 3 lượt" in page
    assert "1 lượt/ngày × 3 ngày của phần thi trắc nghiệm = 3" in page
    assert "<td>Chủ đề A</td><td>30</td><td>4</td><td>12</td><td>40%</td>" in page
    assert "<td>Chủ đề B</td><td>20</td><td>6</td><td>18</td><td>90%</td>" in page
    assert "Tối đa 30 trong 50 câu hỏi của ngân hàng (60%)" in page
    assert 'data-testid="exposure-warning"' in page
    assert "vượt mức 50% đặt cho Hội thi" in page
    contest.max_exposure_percent = 60
    assert 'data-testid="exposure-warning"' not in draw_rules_page(organizer_client, contest)


def test_unlimited_attempts_expose_the_whole_bank(organizer_client, contest):
    contest.max_attempts_per_day = None
    page = draw_rules_page(organizer_client, contest)
    assert 'data-testid="exposure-unlimited"' in page
    assert "xem toàn bộ ngân hàng câu hỏi" in page
    assert "Tối đa 50 trong 50 câu hỏi của ngân hàng (100%)" in page


def test_the_pace_limit_bounds_the_rounds_when_it_is_the_smallest(organizer_client, contest):
    contest.max_attempts_per_day = None
    contest.max_starts_per_hour = 1
    page = draw_rules_page(organizer_client, contest)
    assert "1 lượt/giờ × 72 giờ của phần thi trắc nghiệm = 72" in page
    assert 'data-testid="exposure-unlimited"' not in page


def served_round(contest, user, questions, state=AttemptState.SUBMITTED) -> Attempt:
    now = contest.quiz_opens_at + timedelta(hours=1)
    attempt = Attempt(
        contest_id=contest.id,
        user_id=user.id,
        state=state,
        started_at=now,
        deadline_at=now + timedelta(minutes=10),
        submitted_at=now if state is AttemptState.SUBMITTED else None,
        finished_at=now if state is AttemptState.SUBMITTED else None,
        question_count=len(questions),
        correct_count=0 if state is AttemptState.SUBMITTED else None,
        duration_ms=1000 if state is AttemptState.SUBMITTED else None,
        served=[
            ServedQuestion(
                question_id=q.id,
                position=n,
                choice_order=",".join(str(c.id) for c in q.choices),
            )
            for n, q in enumerate(questions, 1)
        ],
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def test_statistics_show_the_share_of_participants_who_have_seen_each_question(
    organizer_client, db_session, frozen_clock
):
    contest = make_contest(frozen_clock.now)
    other = make_contest(frozen_clock.now)
    first, second, third = make_questions(3, topic="Thống kê")
    unit = make_unit()
    an, binh, chi, dung = (make_user(unit=unit) for _ in range(4))
    served_round(contest, an, [first, second])
    served_round(contest, an, [first])  # twice by one participant: seen by one
    served_round(contest, binh, [first])
    served_round(contest, chi, [third], state=AttemptState.ACTIVE)  # seen while playing
    served_round(other, dung, [first, second])  # another contest's rounds do not count
    assert seen_counts(contest.id) == (3, {first.id: 2, second.id: 1, third.id: 1})
    page = organizer_client.get(in_contest(contest, "/organizer/questions/statistics")).get_data(
        as_text=True
    )
    assert "đã được 2/3 thí sinh xem (67%)" in page
    assert "đã được 1/3 thí sinh xem (33%)" in page


def test_the_seen_counts_take_two_statements_whatever_the_rounds(db_session, frozen_clock):
    contest = make_contest(frozen_clock.now)
    questions = make_questions(5, topic="Thống kê")
    unit = make_unit()
    for _ in range(20):
        served_round(contest, make_user(unit=unit), questions)
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        players, seen = seen_counts(contest.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert (players, set(seen.values())) == (20, {20})
    assert len(statements) == 2
