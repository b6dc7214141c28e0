"""Several contests on one site: each has its own URLs, rankings and results; the home page
lists them; a contest whose results are published is a read-only archive."""

import re
from datetime import timedelta

import pytest

from contest.models import Contest, ContestState, Role, is_valid_slug
from contest.results import workflow
from tests.helpers import (
    ApiClient,
    form_token,
    graded_round,
    in_contest,
    make_contest,
    make_questions,
    make_unit,
    make_user,
)


@pytest.fixture
def two_open(db_session, frozen_clock):
    """Two contests open at once, each with one participant's graded round."""
    now = frozen_clock.now
    first = make_contest(now, slug="hoi-thi-a", name="Hội thi A")
    second = make_contest(now, slug="hoi-thi-b", name="Hội thi B")
    unit = make_unit()
    an = make_user(unit=unit, full_name="Nguyễn Văn An")
    binh = make_user(unit=unit, full_name="Trần Thị Bình")
    graded_round(first, an, 9, 60_000, now - timedelta(hours=1))
    graded_round(second, binh, 7, 70_000, now - timedelta(hours=1))
    db_session.commit()
    return first, second


def test_each_contest_ranks_its_own_rounds(client, two_open):
    first, second = two_open
    page_a = client.get(in_contest(first, "/results/leaderboard")).get_data(as_text=True)
    page_b = client.get(in_contest(second, "/results/leaderboard")).get_data(as_text=True)
    assert "Nguyễn Văn An" in page_a
    assert "Trần Thị Bình" not in page_a
    assert "Trần Thị Bình" in page_b
    assert "Nguyễn Văn An" not in page_b
    api_a = client.get("/api/v1" + in_contest(first, "/leaderboard")).get_json()
    api_b = client.get("/api/v1" + in_contest(second, "/leaderboard")).get_json()
    assert [line["full_name"] for line in api_a["lines"]] == ["Nguyễn Văn An"]
    assert [line["full_name"] for line in api_b["lines"]] == ["Trần Thị Bình"]
    assert (api_a["contest_id"], api_b["contest_id"]) == (first.id, second.id)


def test_links_built_inside_a_contest_stay_in_it(client, two_open):
    first, _second = two_open
    page = client.get(in_contest(first, "/results/leaderboard")).get_data(as_text=True)
    assert 'href="/contests/hoi-thi-a/"' in page  # the menu: the contest's own home
    assert 'href="/contests/hoi-thi-b/' not in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/contests/hoi-thi-a/"' in home
    assert 'href="/contests/hoi-thi-b/"' in home


def test_a_round_of_another_contest_is_not_found_under_this_one(client, two_open, db_session):
    first, second = two_open
    player = make_user(unit=make_unit())
    attempt = graded_round(first, player, 5, 50_000, first.quiz_opens_at + timedelta(hours=1))
    db_session.commit()
    ApiClient(client).login(player)
    assert client.get(in_contest(first, f"/quiz/attempts/{attempt.id}")).status_code == 200
    assert client.get(in_contest(second, f"/quiz/attempts/{attempt.id}")).status_code == 404


def test_an_unknown_contest_is_404_as_a_page_and_in_the_api(client, db_session):
    page = client.get("/contests/khong-co/results/leaderboard")
    assert page.status_code == 404
    assert "Không có hội thi này." in page.get_data(as_text=True)
    for path in ("/contests/khong-co", "/contests/khong-co/leaderboard"):
        response = client.get("/api/v1" + path)
        assert response.status_code == 404
        assert response.get_json()["error"] == "unknown_contest"


def test_the_home_page_of_an_empty_site_says_so(client, db_session):
    response = client.get("/")
    assert response.status_code == 200
    assert "Chưa có hội thi nào được thiết lập." in response.get_data(as_text=True)
    assert client.get("/api/v1/contests").get_json()["contests"] == []


def test_an_empty_site_shows_the_organizers_their_first_steps(client, db_session):
    organizer = make_user(Role.ORGANIZER)
    make_unit()
    make_questions(3)
    db_session.commit()
    ApiClient(client).login(organizer)
    html = client.get("/organizer/").get_data(as_text=True)
    assert 'id="first-steps"' in html
    for step in ("units/import", "questions/import", "contests/new", "people/import"):
        assert f'href="/organizer/{step}"' in html
    assert "1 đơn vị" in html
    assert "3 câu hỏi đang dùng" in html
    assert "0 tài khoản" in html  # the organizer is not one to hand out
    assert ">Các hội thi</a>" in html  # the menu: the contests, not their number
    make_contest()
    db_session.commit()
    assert 'id="first-steps"' not in client.get("/organizer/").get_data(as_text=True)


@pytest.fixture
def site(db_session, frozen_clock):
    """An open, an upcoming, a closed and a published contest, created out of that order."""
    now = frozen_clock.now
    organizer = make_user(Role.ORGANIZER)
    past = make_contest(
        now - timedelta(days=400),
        slug="nam-truoc",
        name="Hội thi năm trước",
        quiz_closes_at=now - timedelta(days=370),
        results_publish_at=now - timedelta(days=300),
    )
    workflow.approve_results(past, organizer, None, now - timedelta(days=360))
    upcoming = make_contest(
        now + timedelta(days=40), slug="sap-toi", quiz_closes_at=now + timedelta(days=70)
    )
    closed = make_contest(
        now - timedelta(days=30), slug="vua-dong", quiz_closes_at=now - timedelta(days=1)
    )
    opened = make_contest(now, slug="dang-mo")
    db_session.commit()
    return {"past": past, "upcoming": upcoming, "closed": closed, "open": opened}


def test_the_home_page_lists_open_then_upcoming_then_past_contests(client, site):
    page = client.get("/").get_data(as_text=True)
    order = [page.index(f'href="/contests/{slug}/"') for slug in ("dang-mo", "sap-toi")]
    order += [page.index(f'href="/contests/{slug}/"') for slug in ("vua-dong", "nam-truoc")]
    assert order == sorted(order)
    assert 'href="/contests/nam-truoc/results/prizes"' in page  # the archive's results
    assert 'href="/contests/vua-dong/results/prizes"' not in page  # not published yet


def test_the_api_lists_every_contest_with_its_state_and_windows(client, site):
    body = client.get("/api/v1/contests").get_json()
    listed = [(contest["slug"], contest["state"]) for contest in body["contests"]]
    assert listed == [
        ("dang-mo", "open"),
        ("sap-toi", "upcoming"),
        ("vua-dong", "closed"),
        ("nam-truoc", "published"),
    ]
    past = body["contests"][-1]
    assert past["name"] == "Hội thi năm trước"
    assert set(past["quiz"]) == {"opens_at", "closes_at"}
    assert past["results_publish_at"].endswith("Z")


def test_the_organizers_home_lists_the_contests(client, site):
    ApiClient(client).login(make_user(Role.ORGANIZER))
    page = client.get("/organizer/").get_data(as_text=True)
    for slug in ("dang-mo", "sap-toi", "vua-dong", "nam-truoc"):
        assert f'href="/contests/{slug}/organizer/"' in page
    assert client.get(in_contest(site["past"], "/organizer/")).status_code == 200


# The deprecated unscoped API: it answers for the one open contest.


def test_the_unscoped_api_with_no_open_contest_is_404(api, db_session, frozen_clock):
    make_contest(frozen_clock.now + timedelta(days=3))  # upcoming only
    response = api.get("/contest")
    assert response.status_code == 404
    assert response.get_json()["error"] == "no_open_contest"
    assert api.get("/leaderboard").status_code == 404


def test_the_unscoped_api_answers_for_the_one_open_contest(api, db_session, frozen_clock):
    make_questions(12)
    contest = make_contest(frozen_clock.now, slug="chi-mot")
    make_contest(frozen_clock.now + timedelta(days=3))  # upcoming: not in the way
    api.login(make_user(unit=make_unit()))
    assert api.get("/contest").get_json()["slug"] == "chi-mot"
    started = api.post("/attempts")
    assert started.status_code == 201
    assert api.get(in_contest(contest)).get_json()["active_attempt_id"] == started.get_json()["id"]
    assert api.get("/leaderboard").get_json()["contest_id"] == contest.id


def test_the_unscoped_api_with_two_open_contests_is_ambiguous(api, two_open):
    for response in (api.get("/contest"), api.get("/leaderboard"), api.post("/attempts")):
        if response.status_code == 401:
            continue  # starting needs a login first
        assert response.status_code == 409
        body = response.get_json()
        assert body["error"] == "ambiguous_contest"
        assert sorted(body["contests"]) == ["hoi-thi-a", "hoi-thi-b"]


# An archive is read-only.


@pytest.fixture
def archive(db_session, frozen_clock):
    now = frozen_clock.now
    organizer = make_user(Role.ORGANIZER)
    contest = make_contest(
        now - timedelta(days=60),
        slug="luu-tru",
        quiz_closes_at=now - timedelta(days=30),
        video_opens_at=now - timedelta(days=60),
        video_closes_at=now - timedelta(days=30),
        results_publish_at=now - timedelta(days=1),
    )
    workflow.approve_results(contest, organizer, None, now - timedelta(days=2))
    db_session.commit()
    return contest, organizer


def test_a_published_contest_is_an_archive(client, archive, frozen_clock):
    contest, _organizer = archive
    home = client.get(in_contest(contest, "/")).get_data(as_text=True)
    assert "Lưu trữ: kết quả đã được công bố" in home
    assert 'href="/contests/luu-tru/results/prizes"' in home
    assert contest.state(frozen_clock.now) is ContestState.PUBLISHED
    assert contest.is_archived(frozen_clock.now)
    assert not contest.is_archived(contest.results_publish_at - timedelta(seconds=1))


def test_an_archive_refuses_rounds_uploads_and_settings(client, archive, frozen_clock):
    contest, organizer = archive
    # Even with its windows reopened by hand, nothing starts in an archive.
    contest.quiz_closes_at = contest.video_closes_at = frozen_clock.now + timedelta(days=1)
    make_questions(12)
    admin = make_user(Role.UNIT_ADMIN, Role.PARTICIPANT, unit=make_unit())
    api = ApiClient(client)
    api.login(admin)
    started = api.post(in_contest(contest, "/attempts"))
    assert (started.status_code, started.get_json()["error"]) == (409, "contest_archived")
    details = {"title": "Phim", "form": "song", "filename": "phim.mp4", "size": 5}
    upload = api.post(in_contest(contest, "/videos/uploads"), json=details)
    assert (upload.status_code, upload.get_json()["error"]) == (409, "contest_archived")

    api.login(organizer)
    windows = in_contest(contest, "/organizer/windows")
    page = client.get(windows).get_data(as_text=True)
    fields = dict(re.findall(r'name="(\w+_at)"[^>]*value="([^"]*)"', page))
    refused = client.post(windows, data={"csrf_token": form_token(client, windows), **fields})
    assert refused.status_code == 409
    assert "Hội thi này đã được lưu trữ" in refused.get_data(as_text=True)
    rubric = in_contest(contest, "/judging/rubric")
    assert client.post(rubric, data={"csrf_token": form_token(client, rubric)}).status_code == 409


def test_reopening_the_results_is_the_way_out_of_an_archive(client, archive, frozen_clock):
    contest, organizer = archive
    ApiClient(client).login(organizer)
    standings = in_contest(contest, "/results/standings")
    token = form_token(client, standings)
    reopened = client.post(
        in_contest(contest, "/results/workflow/reopen"),
        data={"csrf_token": token, "reason": "Sửa sai sót"},
    )
    assert reopened.status_code == 302
    assert contest.state(frozen_clock.now) is ContestState.CLOSED


@pytest.mark.parametrize(
    ("slug", "valid"),
    [
        ("cchc-2026", True),
        ("a", True),
        ("2026", True),
        ("CCHC-2026", False),
        ("cải-cách", False),
        ("cchc_2026", False),
        ("-cchc", False),
        ("cchc--2026", False),
        ("cchc 2026", False),
        ("", False),
        ("a" * 81, False),
    ],
)
def test_a_slug_is_lowercase_ascii_digits_and_hyphens(slug, valid):
    assert is_valid_slug(slug) is valid
    if not valid:
        with pytest.raises(ValueError, match="invalid contest slug"):
            Contest(slug=slug)


def test_the_scheduler_sweeps_every_contest(app, db_session, frozen_clock):
    from contest import scheduler as scheduling

    now = frozen_clock.now
    organizer = make_user(Role.ORGANIZER)
    for slug in ("dong-truoc", "dong-sau"):
        contest = make_contest(
            now - timedelta(days=20),
            slug=slug,
            quiz_closes_at=now - timedelta(hours=1),
            results_publish_at=now - timedelta(minutes=5),
        )
        graded_round(contest, make_user(unit=make_unit()), 8, 60_000, now - timedelta(days=1))
        workflow.approve_results(contest, organizer, None, now - timedelta(minutes=10))
    make_contest(now, slug="con-mo")  # still open: nothing due
    db_session.commit()
    assert scheduling.run_job_as(app, "host-a:1", "compute_results_at_close") == 2
    assert scheduling.run_job_as(app, "host-a:1", "publish_due_results") == 2
