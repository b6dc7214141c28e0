"""The leaderboard as participants expect it (issue 16, item 3): their own line at the top, a
filter by unit with ranks in the whole contest, short pages, "7/10", and the unit ranking while
the contest runs when the organizers allow it."""

import random
import re
from datetime import UTC, datetime, timedelta

import pytest

from contest.extensions import db
from contest.models import Prediction, Role
from contest.results.services import individual_ranking, own_line, unit_leaderboard
from tests.helpers import (
    ApiClient,
    form_token,
    graded_round,
    in_contest,
    make_contest,
    make_unit,
    make_user,
)

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


@pytest.fixture
def board(client, db_session, frozen_clock):
    """30 participants in two units: person n has 10 - n // 3 correct, so ranks come in threes
    (equal keys share a rank)."""
    frozen_clock.now = NOW
    contest = make_contest(NOW)
    units = [make_unit(), make_unit()]
    people = []
    for n in range(30):
        person = make_user(unit=units[n % 2], full_name=f"Thí sinh {n:02d}")
        graded_round(contest, person, 10 - n // 3, 54_321, NOW - timedelta(hours=1))
        people.append(person)
    db.session.commit()
    return contest, units, people


def rows(page: str) -> list[tuple[str, str]]:
    """(rank, name) of each line of the ranking's table."""
    return re.findall(r"<tr(?: class=\"me\" id=\"me\")?>\s*<td>(\d+)</td>\s*<td>([^<]*)<", page)


def test_the_own_line_comes_first_with_rank_score_and_time(client, board):
    contest, _, people = board
    ApiClient(client).login(people[25])  # rank 25 (three lines share it), on page 2

    page = client.get(in_contest(contest, "/results/leaderboard")).get_data(as_text=True)
    own = page.split('data-testid="own-line"')[1].split("</section>")[0]
    assert "Vị trí của bạn" in own
    assert "<strong>25</strong>" in own
    assert "<strong>2/10</strong>" in own
    assert "54,3 giây" in own
    assert f'href="/contests/{contest.slug}/results/leaderboard?page=2#me"' in own
    assert page.index('data-testid="own-line"') < page.index('data-testid="leaderboard"')
    assert len(rows(page)) == 20
    assert "Trang 1/2" in page
    assert "10/10" in page

    second = client.get(in_contest(contest, "/results/leaderboard?page=2")).get_data(as_text=True)
    assert 'class="me" id="me"' in second
    assert "xem dòng của tôi" not in second.lower()  # already on its page


def test_someone_without_a_round_sees_no_own_line(client, board):
    contest, units, _ = board
    ApiClient(client).login(make_user(unit=units[0]))
    page = client.get(in_contest(contest, "/results/leaderboard")).get_data(as_text=True)
    assert 'data-testid="own-line"' not in page
    anonymous = client.application.test_client()
    page = anonymous.get(in_contest(contest, "/results/leaderboard")).get_data(as_text=True)
    assert 'data-testid="own-line"' not in page


def test_a_unit_filter_lists_its_people_with_their_ranks_in_the_contest(client, board):
    contest, units, people = board
    path = in_contest(contest, f"/results/leaderboard?unit={units[1].id}")
    page = client.get(path).get_data(as_text=True)
    listed = rows(page)
    assert [name for _, name in listed] == [f"Thí sinh {n:02d}" for n in range(1, 30, 2)]
    assert [rank for rank, _ in listed][:4] == ["1", "4", "4", "7"]
    assert f'<option value="{units[1].id}" selected>' in page
    assert "Trang 1/1" in page

    for query in ("unit=abc", "unit=-3", "unit=999999"):  # all units, as links expect
        page = client.get(in_contest(contest, f"/results/leaderboard?{query}"))
        assert page.status_code == 200
        assert len(rows(page.get_data(as_text=True))) == 20


def test_own_lines_and_unit_pages_agree_with_the_whole_ranking(client, db_session):
    """Random keys with many ties and a prediction step: every participant's own line has the
    rank and position of the full listing; each unit's page is its lines of that listing."""
    generator = random.Random(16)
    contest = make_contest(NOW, prediction_true_value=100)
    units = [make_unit(), make_unit(), make_unit()]
    for n in range(40):
        person = make_user(unit=units[n % 3])
        graded_round(
            contest,
            person,
            generator.randint(7, 8),
            generator.choice([50_000, 51_000]),
            NOW - timedelta(minutes=generator.randint(1, 2)),
        )
        if n % 4:
            guess = generator.randint(95, 105)
            db.session.add(Prediction(contest_id=contest.id, user_id=person.id, value=guess))
    db.session.flush()
    whole = list(individual_ranking(contest))
    for position, line in enumerate(whole, 1):
        mine, where = own_line(contest, line.participant_id)
        assert (mine.rank, where) == (line.rank, position)
        assert mine.correct_count == line.correct_count
    for unit in units:
        expected = [(line.rank, line.participant_id) for line in whole if line.unit_id == unit.id]
        listed = unit_leaderboard(contest, unit.id, limit=100)
        assert [(line.rank, line.participant_id) for line in listed] == expected
        assert unit_leaderboard(contest, unit.id, limit=3, offset=3) == listed[3:6]


def test_the_unit_ranking_is_shown_while_the_contest_runs_when_the_organizers_allow(client, board):
    contest, units, people = board
    path = in_contest(contest, "/results/leaderboard/units")
    ApiClient(client).login(people[0])
    assert client.get(path).status_code == 403
    board_page = client.get(in_contest(contest, "/results/leaderboard")).get_data(as_text=True)
    assert "/results/leaderboard/units" not in board_page

    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    staff = client.application.test_client()
    ApiClient(staff).login(organizer)
    settings = in_contest(contest, "/organizer/settings/visibility")
    saved = staff.post(
        settings,
        data={
            "csrf_token": form_token(staff, settings),
            "review_policy": "after_close",
            "leaderboard_public": "y",
            "unit_ranking_public": "y",
            "max_exposure_percent": "50",
        },
    )
    assert saved.status_code == 302
    assert contest.unit_ranking_public is True

    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert units[0].name in text
    assert "Phần video (40%)" in text
    board_page = client.get(in_contest(contest, "/results/leaderboard")).get_data(as_text=True)
    assert "/results/leaderboard/units" in board_page
