"""Decimals as Vietnamese write them on the judging pages (issue 16, item 20): the rubric's
maximum points and the longest video read "40", "12,5" (the app's one number format), never
"40.00", and a decimal comma is accepted where a number with decimals is typed."""

import re
from decimal import Decimal

import pytest

from contest.extensions import db
from contest.models import Role
from tests.helpers import ApiClient, form_token, in_contest, make_contest, make_user

RUBRIC = "/judging/rubric"


@pytest.fixture
def contest(client, db_session):
    contest = make_contest()
    ApiClient(client).login(make_user(Role.ORGANIZER))
    db.session.commit()
    return contest


def rubric_data(client, contest, **changes) -> dict:
    data = {"csrf_token": form_token(client, in_contest(contest, RUBRIC))}
    for n, criterion in enumerate(contest.rubric):
        data[f"criteria-{n}-criterion_id"] = str(criterion.id)
        data[f"criteria-{n}-criterion_name"] = criterion.name
        data[f"criteria-{n}-max_points"] = str(criterion.max_points)
    return data | changes


def shown_maxima(page: str) -> list[str]:
    return re.findall(r'name="criteria-\d+-max_points"[^>]*value="([^"]*)"', page)


def test_the_rubric_shows_its_maxima_without_a_decimal_point(client, contest):
    page = client.get(in_contest(contest, RUBRIC)).get_data(as_text=True)
    assert shown_maxima(page) == ["40", "30", "20", "10", ""]  # the seed plan's; a row to add
    assert "40.00" not in page


def test_a_maximum_typed_with_a_decimal_comma_is_read_and_shown_with_it(client, contest):
    data = rubric_data(client, contest, **{"criteria-3-max_points": "12,5"})
    assert client.post(in_contest(contest, RUBRIC), data=data).status_code == 302
    db.session.refresh(contest)
    assert [c.max_points for c in contest.rubric][3] == Decimal("12.5")
    page = client.get(in_contest(contest, RUBRIC)).get_data(as_text=True)
    assert shown_maxima(page)[3] == "12,5"
    assert "Tổng: 102,5 điểm." in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12,345", "Tối đa 2 chữ số thập phân."),
        ("1.000,5", "Hãy nhập một số."),
        ("mười", "Hãy nhập một số."),
        ("1e3", "Hãy nhập một số."),
        ("NaN", "Hãy nhập một số."),
    ],
)
def test_a_bad_maximum_is_refused_in_vietnamese_and_kept_in_its_field(
    client, contest, typed, message
):
    data = rubric_data(client, contest, **{"criteria-0-max_points": typed})
    response = client.post(in_contest(contest, RUBRIC), data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert shown_maxima(page)[0] == typed
    db.session.refresh(contest)
    assert contest.rubric[0].max_points == Decimal(40)


def test_the_longest_video_is_typed_and_shown_with_a_decimal_comma(client, contest):
    path = in_contest(contest, "/judging/settings")
    page = client.get(path).get_data(as_text=True)
    fields = dict(re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', page))
    data = {
        "csrf_token": form_token(client, path),
        "max_videos_per_unit": fields["max_videos_per_unit"],
        "video_max_megabytes": fields["video_max_megabytes"],
        "video_max_minutes": "2,5",
        "allowed_video_forms": re.findall(r'name="allowed_video_forms"[^>]*value="([^"]*)"', page),
        "score_aggregation": "mean",
    }
    assert client.post(path, data=data).status_code == 302
    db.session.refresh(contest)
    assert contest.video_max_duration_seconds == 150
    page = client.get(path).get_data(as_text=True)
    assert 'value="2,5"' in page
    contest.video_max_duration_seconds = 100  # 1,666… minutes: shown to the field's one decimal
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert 'value="1,7"' in page
