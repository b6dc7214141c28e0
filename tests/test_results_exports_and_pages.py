"""The videos export with every judge's points, and the public individual and video rankings."""

import codecs
import csv
import io
import re
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from contest.extensions import db
from contest.models import (
    Role,
    Score,
    ScoreItem,
    ScoreState,
    Video,
    VideoForm,
    VideoState,
)
from contest.results import exports, workflow
from contest.results.standings import compute_standings
from tests.helpers import ApiClient, graded_round, in_contest, make_contest, make_unit, make_user
from tests.test_standings import NOW

PEOPLE = 150  # a page and a half of the public individual ranking
FINISHED = NOW - timedelta(days=1)

SLUG = "the-2021-results"


def make_video(contest, unit, title, state=VideoState.READY, form=VideoForm.SONG) -> Video:
    video = Video(
        contest=contest,
        unit_id=unit.id,
        title=title,
        form=form,
        original_filename="v.mp4",
        size_bytes=1,
        part_size=1,
        storage_key=f"videos/{contest.id}/{title}-{unit.code}/original",
        state=state,
    )
    db.session.add(video)
    db.session.flush()
    return video


def score_sheet(video, judge, points, state=ScoreState.SUBMITTED) -> Score:
    """A judge's sheet on `video` with `points` per rubric criterion, in the rubric's order."""
    criteria = video.contest.rubric
    sheet = Score(
        video=video,
        judge=judge,
        state=state,
        total=sum((Decimal(str(p)) for p in points), Decimal(0)),
        items=[
            ScoreItem(criterion_id=criterion.id, points=Decimal(str(p)))
            for criterion, p in zip(criteria, points, strict=True)
        ],
    )
    db.session.add(sheet)
    return sheet


@pytest.fixture
def judged(db_session):
    """Three units, 150 participants, judges' sheets with points on the seed plan's rubric."""
    contest = make_contest(NOW - timedelta(days=30), quiz_closes_at=NOW, slug=SLUG)
    units = [make_unit(headcount=10) for _ in range(3)]
    an, binh, chi = (
        make_user(Role.JUDGE, full_name=name)
        for name in ("Giám khảo An", "Giám khảo Bình", "Giám khảo Chi")
    )
    people = []
    for n in range(PEOPLE):
        person = make_user(unit=units[n % 3], full_name=f"Thí sinh {n:03d}")
        graded_round(contest, person, 10 - n // 15, 61_234 + 10 * n, FINISHED)
        people.append(person)
    # The rubric: Nội dung 40, Sáng tạo 30, Kỹ thuật 20, Thông điệp 10.
    song = make_video(contest, units[0], "=SUM(1) Dịch vụ công trực tuyến")
    score_sheet(song, chi, (38, 28, 19, 10))  # 95
    score_sheet(song, an, (35, "25.5", 18, 9))  # 87.5
    score_sheet(song, binh, (30, 20, 15, 5))  # 70 -> mean 84.17
    drama = make_video(contest, units[1], "Một cửa", form=VideoForm.MUSICAL_DRAMA)
    score_sheet(drama, an, (20, 10, 10, 5))  # 45
    score_sheet(drama, binh, (40, 30, 20, 10), state=ScoreState.DRAFT)  # not counted
    db.session.add(Score(video=drama, judge=chi, state=ScoreState.CONFLICT))  # abstains
    second = make_video(contest, units[0], "Video thứ hai")  # the unit's weaker video
    score_sheet(second, binh, (10, 10, 5, 5))  # 30
    waiting = make_video(contest, units[2], "Đang xử lý", state=VideoState.PROCESSING)
    make_video(contest, units[2], "Đã rút", state=VideoState.WITHDRAWN)
    db.session.commit()
    return {
        "contest": contest,
        "units": units,
        "people": people,
        "judges": (an, binh, chi),
        "videos": {"song": song, "drama": drama, "second": second, "waiting": waiting},
    }


@pytest.fixture
def organizer(db_session):
    user = make_user(Role.ORGANIZER)
    db.session.commit()
    return user


def publish(data, organizer, frozen_clock, publish_at=None):
    """Approve the results an hour after closing and publish them (now, or at `publish_at`)."""
    contest = data["contest"]
    assert compute_standings(contest).prizes.pending_ties == ()
    approved_at = NOW + timedelta(hours=1)
    snapshot = workflow.approve_results(contest, organizer, None, approved_at)
    if publish_at is None:
        workflow.publish_now(contest, organizer, approved_at)
    else:
        contest.results_publish_at = publish_at
    db.session.commit()
    frozen_clock.now = NOW + timedelta(hours=2)
    return snapshot


def sheet_rows(response, name="Video"):
    workbook = load_workbook(io.BytesIO(response.data))
    worksheet = workbook[name]
    return worksheet, list(worksheet.iter_rows(values_only=True))


def test_the_videos_workbook_lists_every_judge_s_points_per_criterion(client, judged, organizer):
    ApiClient(client).login(organizer)
    response = client.get(in_contest(SLUG, "/results/exports/videos.xlsx"))
    assert response.status_code == 200
    worksheet, rows = sheet_rows(response)
    header = rows[0]
    assert header[:5] == ("Hạng", "Mã", "Đơn vị", "Tên video", "Hình thức")
    assert header[6] == "Giám khảo"
    criteria = [c.name for c in judged["contest"].rubric]
    assert criteria == ["Nội dung", "Sáng tạo", "Kỹ thuật", "Thông điệp"]
    for column, (name, maximum) in enumerate(zip(criteria, ("40", "30", "20", "10"), strict=True)):
        assert header[7 + column].startswith(name)
        assert maximum in header[7 + column]
    assert len(header) == 12  # ... four criteria, the judge's total

    units, videos = judged["units"], judged["videos"]
    song, drama, second = videos["song"], videos["drama"], videos["second"]
    first_unit, other_unit, last_unit = ((u.code, u.name) for u in units)
    assert rows[1:] == [
        # The best video, its three judges by name, each with the points they gave.
        (1, *first_unit, song.title, "Ca khúc", 84.17, "Giám khảo An", 35, 25.5, 18, 9, 87.5),
        (1, *first_unit, song.title, "Ca khúc", 84.17, "Giám khảo Bình", 30, 20, 15, 5, 70),
        (1, *first_unit, song.title, "Ca khúc", 84.17, "Giám khảo Chi", 38, 28, 19, 10, 95),
        # A draft and a declared conflict are not sheets the ranking counts.
        (2, *other_unit, drama.title, "Nhạc kịch", 45, "Giám khảo An", 20, 10, 10, 5, 45),
        (3, *first_unit, second.title, "Ca khúc", 30, "Giám khảo Bình", 10, 10, 5, 5, 30),
        # Still processing: in the contest, not scored; the withdrawn video is not listed.
        (None, *last_unit, "Đang xử lý", "Ca khúc", None, None, None, None, None, None, None),
    ]
    # Points, totals and the aggregate are numbers Excel can add up; a forged title stays text.
    for column in ("A", "F", "H", "I", "K", "L"):
        assert worksheet[f"{column}2"].data_type == "n"
    assert worksheet["D2"].data_type == "s"
    assert sum(row[11] for row in rows[1:4]) == 87.5 + 70 + 95


def test_the_videos_sheet_is_in_the_whole_workbook(client, judged, organizer):
    ApiClient(client).login(organizer)
    response = client.get(in_contest(SLUG, "/results/exports/all.xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames == [
        "Thông tin",
        "Giải thưởng",
        "Đơn vị",
        "Video",
        "Cá nhân",
        "Điểm thưởng PAR Index",
    ]
    videos = list(workbook["Video"].values)
    assert len(videos) == 1 + 6
    assert videos[1][6:] == ("Giám khảo An", 35, 25.5, 18, 9, 87.5)
    workbook.close()


def test_the_videos_csv_has_a_bom_and_keeps_forged_titles_as_text(client, judged, organizer):
    ApiClient(client).login(organizer)
    response = client.get(in_contest(SLUG, "/results/exports/videos.csv"))
    assert response.status_code == 200
    assert response.data.startswith(codecs.BOM_UTF8)
    assert "ket-qua-tam-tinh-videos-" in response.headers["Content-Disposition"]
    # For Excel on a Vietnamese Windows: ";" between fields, a decimal comma.
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    unit = judged["units"][0]
    title = "'" + judged["videos"]["song"].title  # would run as a formula in Excel otherwise
    assert lines[1] == [
        *("1", unit.code, unit.name, title, "Ca khúc", "84,17"),
        *("Giám khảo An", "35", "25,5", "18", "9", "87,5"),
    ]
    assert lines[-1][0] == ""  # unscored: no rank
    assert lines[-1][3:5] == ["Đang xử lý", "Ca khúc"]
    assert lines[-1][5:] == [""] * 7
    assert len(lines) == 1 + 6
    # For other software: "," and a decimal point, named apart.
    plain = client.get(in_contest(SLUG, "/results/exports/videos.csv?variant=plain"))
    assert "-dau-phay.csv" in plain.headers["Content-Disposition"]
    plain_lines = list(csv.reader(io.StringIO(plain.data.decode("utf-8-sig"))))
    assert plain_lines[1][5:9] == ["84.17", "Giám khảo An", "35", "25.5"]
    unknown = client.get(in_contest(SLUG, "/results/exports/videos.csv?variant=tab"))
    assert unknown.status_code == 404


@contextmanager
def counted_queries():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):  # not the test's savepoints
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_videos_export_does_not_query_per_video(client, judged, organizer):
    ApiClient(client).login(organizer)
    with counted_queries() as before:
        assert client.get(in_contest(SLUG, "/results/exports/videos.csv")).status_code == 200
    an, binh, chi = judged["judges"]
    for n in range(6):
        video = make_video(judged["contest"], make_unit(), f"Thêm {n}")
        score_sheet(video, an, (n, 1, 1, 1))
        score_sheet(video, chi, (2, n, 2, 2))
    db.session.commit()
    with counted_queries() as after:
        response = client.get(in_contest(SLUG, "/results/exports/videos.csv"))
    assert len(response.data.decode("utf-8-sig").splitlines()) == 1 + 6 + 12
    assert before  # the listener sees the test's connection
    assert len(after) == len(before)


@pytest.mark.parametrize("role", [None, Role.PARTICIPANT, Role.JUDGE, Role.UNIT_ADMIN])
def test_only_organizers_export_the_judges_scores(client, judged, role):
    if role is not None:
        user = make_user(role, unit=judged["units"][1])
        db.session.commit()
        ApiClient(client).login(user)
    for path in (
        in_contest(SLUG, "/results/exports/videos.xlsx"),
        in_contest(SLUG, "/results/exports/videos.csv"),
    ):
        response = client.get(path)
        assert response.status_code == (302 if role is None else 403)
        assert "Giám khảo An".encode() not in response.data


@pytest.mark.parametrize(
    "path",
    [
        in_contest(SLUG, "/results/exports/videos.pdf"),
        in_contest(SLUG, "/results/exports/videos.XLSX"),
        in_contest(SLUG, "/results/exports/videos"),
        in_contest(SLUG, "/results/exports/video.xlsx"),
        in_contest(SLUG, "/results/exports/videos.csv.xlsx"),
    ],
)
def test_unknown_exports_are_not_found(client, judged, organizer, path):
    ApiClient(client).login(organizer)
    assert client.get(path).status_code == 404


def test_the_standings_page_links_the_videos_export(client, judged, organizer):
    ApiClient(client).login(organizer)
    page = client.get(in_contest(SLUG, "/results/standings")).get_data(as_text=True)
    assert f'href="/contests/{SLUG}/results/exports/videos.csv"' in page
    assert f'href="/contests/{SLUG}/results/exports/videos.csv?variant=plain"' in page


@pytest.mark.parametrize(
    "path", [in_contest(SLUG, "/results/individuals"), in_contest(SLUG, "/results/videos")]
)
def test_the_public_rankings_wait_for_publication(client, judged, organizer, frozen_clock, path):
    frozen_clock.now = NOW + timedelta(hours=2)
    response = client.get(path)  # nothing approved yet
    assert response.status_code == 404
    assert "Kết quả chưa được công bố." in response.get_data(as_text=True)
    publish(judged, organizer, frozen_clock, publish_at=NOW + timedelta(days=10))
    response = client.get(path)  # approved, due in ten days
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Kết quả chưa được công bố." in page
    assert "Thí sinh 000" not in page
    assert judged["videos"]["song"].title not in page
    frozen_clock.now = NOW + timedelta(days=10)
    assert client.get(path).status_code == 200


def ranking_rows(page: str) -> list[tuple[str, ...]]:
    """The (rank, name, unit, correct, seconds) cells of the individual ranking's table."""
    return re.findall(
        r"<tr><td>(\d+)</td><td>([^<]*)<span[^>]*><br>[^<]*</span></td><td class=\"hide-sm\">"
        r"([^<]*)</td><td class=\"nowrap\">(\d+)/10</td>\s*<td class=\"nowrap\">([^<]*)</td></tr>",
        page,
    )


def test_the_public_individual_ranking_is_paginated_from_the_snapshot(
    client, judged, organizer, frozen_clock
):
    publish(judged, organizer, frozen_clock)
    people, units = judged["people"], judged["units"]
    # A change after approval does not move the published ranking.
    people[0].full_name = "Tên đổi sau khi duyệt"
    graded_round(judged["contest"], make_user(unit=units[0]), 10, 1_000, FINISHED)
    db.session.commit()

    response = client.get(in_contest(SLUG, "/results/individuals"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = ranking_rows(page)
    assert len(rows) == 100
    assert rows[0] == ("1", "Thí sinh 000", units[0].name, "10", "1 phút 01,2 giây")
    assert rows[16] == ("17", "Thí sinh 016", units[1].name, "9", "1 phút 01,3 giây")
    assert rows[99][:2] == ("100", "Thí sinh 099")
    assert "Tên đổi sau khi duyệt" not in page
    assert f'href="/contests/{SLUG}/results/individuals?page=2"' in page
    assert "?page=0" not in page
    assert f'href="/contests/{SLUG}/results/prizes"' in page
    assert f'href="/contests/{SLUG}/results/videos"' in page
    assert "data-print" in page  # static/app.js prints
    assert 'class="no-print"' in page

    second = client.get(in_contest(SLUG, "/results/individuals?page=2")).get_data(as_text=True)
    rows = ranking_rows(second)
    assert [row[0] for row in rows] == [str(rank) for rank in range(101, PEOPLE + 1)]
    assert rows[-1] == ("150", "Thí sinh 149", units[149 % 3].name, "1", "1 phút 02,7 giây")
    assert f'href="/contests/{SLUG}/results/individuals?page=1"' in second
    assert "?page=3" not in second

    for garbage in ("abc", "0", "-4", "1.5", ""):
        response = client.get(in_contest(SLUG, f"/results/individuals?page={garbage}"))
        assert response.status_code == 200, garbage
        assert ranking_rows(response.get_data(as_text=True))[0][1] == "Thí sinh 000"
    for beyond in ("3", "99999", str(10**30)):
        assert (
            client.get(in_contest(SLUG, f"/results/individuals?page={beyond}")).status_code == 404
        )


def test_the_public_video_ranking_shows_scores_and_prizes(client, judged, organizer, frozen_clock):
    publish(judged, organizer, frozen_clock)
    response = client.get(in_contest(SLUG, "/results/videos"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>\s*<td>(.*?)</td>", page)
    units, videos = judged["units"], judged["videos"]
    assert [row[:3] for row in rows] == [
        ("1", f"{videos['song'].title} ({units[0].name})", "84,17"),
        ("2", f"{videos['drama'].title} ({units[1].name})", "45"),
        ("3", f"{videos['second'].title} ({units[0].name})", "30"),
    ]
    prize = '<strong>Giải video</strong><br><span class="nowrap">500.000 đ</span>'
    assert [row[3] for row in rows] == [prize, prize, ""]  # a unit wins one video prize at most
    assert "Đang xử lý" not in page  # unscored: not ranked
    assert f'href="/contests/{SLUG}/results/individuals"' in page
    assert f'href="/contests/{SLUG}/results/prizes"' in page
    assert "data-print" in page  # static/app.js prints
    prizes = client.get(in_contest(SLUG, "/results/prizes")).get_data(as_text=True)
    assert f'href="/contests/{SLUG}/results/individuals"' in prizes
    assert f'href="/contests/{SLUG}/results/videos"' in prizes


def test_a_snapshot_page_is_a_slice_of_the_ranking(judged, organizer, frozen_clock):
    snapshot = publish(judged, organizer, frozen_clock)
    lines = workflow.snapshot_individual_page(snapshot, limit=2, offset=1)
    assert [(line["rank"], line["name"]) for line in lines] == [
        (2, "Thí sinh 001"),
        (3, "Thí sinh 002"),
    ]
    assert lines[0]["unit"] == judged["units"][1].name
    assert lines[0]["duration_ms"] == 61_244
    assert workflow.snapshot_individual_page(snapshot, limit=10, offset=PEOPLE) == []
    with pytest.raises(ValueError, match="negative"):
        workflow.snapshot_individual_page(snapshot, limit=10, offset=-1)


def test_a_csv_export_streams_its_rows_in_chunks(app):
    rows = ([n, f"Người {n}", "=1+1" if n == 7 else ""] for n in range(2500))
    with app.test_request_context():
        chunks = list(
            exports.csv_chunks(exports.Sheet("Cá nhân", ["Hạng", "Họ tên", "Ghi chú"], rows))
        )
    assert chunks[0] == codecs.BOM_UTF8
    assert len(chunks) == 1 + 3  # the BOM, then rows 1000 at a time
    lines = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Hạng", "Họ tên", "Ghi chú"]
    assert len(lines) == 1 + 2500
    assert lines[8] == ["7", "Người 7", "'=1+1"]
