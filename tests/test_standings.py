"""Standings and prizes computed from the database by the domain's rules."""

import codecs
import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from contest.extensions import db
from contest.models import (
    AuditEntry,
    ResultsSnapshot,
    Role,
    Score,
    ScoreState,
    TieResolution,
    Video,
    VideoForm,
    VideoState,
)
from contest.results import workflow
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

NOW = datetime(2026, 10, 16, tzinfo=UTC)


def scored_video(contest, unit, judges, total: int) -> Video:
    video = Video(
        contest=contest,
        unit_id=unit.id,
        title=f"Video {unit.code}",
        form=VideoForm.SONG,
        original_filename="v.mp4",
        size_bytes=1,
        part_size=1,
        storage_key=f"videos/{contest.id}/{unit.code}-{total}/original",
        state=VideoState.READY,
    )
    db.session.add(video)
    db.session.flush()
    for judge in judges:
        db.session.add(
            Score(video=video, judge=judge, state=ScoreState.SUBMITTED, total=Decimal(total))
        )
    return video


@pytest.fixture
def contest_with_results(db_session):
    contest = make_contest(NOW - timedelta(days=30), quiz_closes_at=NOW)
    judges = [make_user(Role.JUDGE) for _ in range(3)]
    units = [make_unit(headcount=20) for _ in range(12)]
    people = []
    for n, unit in enumerate(units):
        for k in range(3):
            person = make_user(unit=unit)
            # Distinct performances: fewer correct answers and slower further down the list.
            graded_round(
                contest,
                person,
                correct=10 - (n % 10),
                duration_ms=60_000 + 1000 * n + k,
                finished_at=NOW - timedelta(days=1),
            )
            people.append(person)
        scored_video(contest, unit, judges, total=95 - n)
    db.session.commit()
    return contest, units, people


def test_the_seed_table_is_awarded_in_full(contest_with_results):
    contest, units, people = contest_with_results
    standings = compute_standings(contest)
    prizes = standings.prizes
    assert prizes.pending_ties == ()
    assert prizes.total_amount == 61_000_000
    by_category = {
        category: [a for a in prizes.awards if a.category == category]
        for category in ("unit", "video", "individual")
    }
    assert [len(by_category[c]) for c in ("unit", "video", "individual")] == [10, 10, 10]
    first = by_category["unit"][0]
    assert (first.tier_name, first.amount, first.entry_id) == ("Giải Nhất", 10_000_000, units[0].id)
    assert len({a.unit_id for a in by_category["video"]}) == 10
    assert by_category["individual"][0].entry_id == people[0].id
    breakdown = standings.units[0]
    assert breakdown.participation.weight == 30
    assert breakdown.total == breakdown.participation.points + breakdown.accuracy.points + (
        breakdown.video.points
    )


def test_a_tie_at_the_last_individual_prize_waits_for_the_organizers(contest_with_results):
    contest, units, people = contest_with_results
    # A newcomer equals the 10th participant exactly: one place for two people.
    tenth = compute_standings(contest).individuals[9].result
    twin = make_user(unit=units[5])
    graded_round(contest, twin, tenth.correct_count, tenth.duration_ms, tenth.finished_at)
    db.session.commit()
    prizes = compute_standings(contest).prizes
    individual = [a for a in prizes.awards if a.category == "individual"]
    tie = next(t for t in prizes.pending_ties if t.category == "individual")
    assert tie.places < len(tie.entry_ids)
    assert not {a.entry_id for a in individual} & set(tie.entry_ids)
    assert prizes.total_amount < 61_000_000
    db.session.add(
        TieResolution(
            contest_id=contest.id,
            tie_id=tie.tie_id,
            member_order=list(reversed(tie.entry_ids)),
            reason="Bốc thăm công khai ngày 20/10",
        )
    )
    db.session.commit()
    decided = compute_standings(contest).prizes
    assert decided.pending_ties == ()
    assert decided.total_amount == 61_000_000
    assert any(a.decided_by_tie for a in decided.awards)


def test_organizers_see_the_provisional_prize_list_and_decide_a_tie(client, contest_with_results):
    contest, units, people = contest_with_results
    tenth = compute_standings(contest).individuals[9].result
    twin = make_user(unit=units[5], full_name="Người bằng điểm")
    graded_round(contest, twin, tenth.correct_count, tenth.duration_ms, tenth.finished_at)
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    assert client.get(in_contest(contest, "/results/standings")).status_code == 302
    ApiClient(client).login(people[0])
    assert client.get(in_contest(contest, "/results/standings")).status_code == 403
    ApiClient(client).login(organizer)
    page = client.get(in_contest(contest, "/results/standings")).get_data(as_text=True)
    assert "Người bằng điểm" in page
    assert "10.000.000 đ" in page
    tie = compute_standings(contest).prizes.pending_ties[0]
    token = form_token(client, in_contest(contest, "/results/standings"))
    path = in_contest(contest, f"/results/ties/{tie.tie_id}")
    twin_first = {f"position-{twin.id}": "1", f"position-{tenth.participant_id}": "2"}
    same = {f"position-{twin.id}": "1", f"position-{tenth.participant_id}": "1"}
    client.post(path, data={"csrf_token": token, **same, "reason": "Bốc thăm"})
    client.post(path, data={"csrf_token": token, **twin_first, "reason": " "})
    client.post(path, data={"csrf_token": token, f"position-{twin.id}": "1", "reason": "x"})
    client.post(
        in_contest(contest, "/results/ties/individual:99"),
        data={"csrf_token": token, **twin_first, "reason": "x"},
    )
    assert db.session.query(TieResolution).count() == 0
    client.post(path, data={"csrf_token": token, **twin_first, "reason": "Bốc thăm công khai"})
    resolution = db.session.query(TieResolution).one()
    assert resolution.member_order == [twin.id, tenth.participant_id]
    entry = db.session.query(AuditEntry).filter_by(action="tie_decided").one()
    assert entry.actor_id == organizer.id
    prizes = compute_standings(contest).prizes
    assert prizes.pending_ties == ()
    assert any(a.entry_id == twin.id and a.decided_by_tie for a in prizes.awards)


def test_exports_open_back_cell_by_cell(client, contest_with_results):
    contest, units, people = contest_with_results
    people[0].full_name = "=HYPERLINK(1) Nguyễn"  # a forged name must stay text
    db.session.commit()
    ApiClient(client).login(make_user(Role.ORGANIZER))
    response = client.get(in_contest(contest, "/results/exports/all.xlsx"))
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
    about = list(workbook["Thông tin"].values)
    assert about[:2] == [
        ("Hội thi", contest.name),
        ("Kết quả", "Tạm tính: tính từ dữ liệu hiện có, chưa được phê duyệt."),
    ]
    assert about[2][0] == "Ngày xuất"
    prizes = list(workbook["Giải thưởng"].values)
    assert prizes[0] == ("Loại giải", "Giải", "Hạng", "Người/đơn vị đạt giải", "Số tiền (đồng)")
    assert prizes[1] == ("Tập thể", "Giải Nhất", 1, units[0].name, 10_000_000)
    assert prizes[-1] == ("Tổng", None, None, None, 61_000_000)
    assert sum(row[4] for row in prizes[1:-1]) == 61_000_000
    unit_rows = list(workbook["Đơn vị"].values)
    first = compute_standings(contest).units[0]
    assert unit_rows[1][:4] == (1, units[0].name, 3, 20)
    assert unit_rows[1][-1] == float(first.total)
    individuals = list(workbook["Cá nhân"].values)
    assert len(individuals) == 1 + len(people)
    assert individuals[1][:4] == (1, people[0].full_name, units[0].code, units[0].name)
    assert individuals[1][6] == 10
    bonus = list(workbook["Điểm thưởng PAR Index"].values)
    awards = compute_standings(contest).prizes.awards
    unit_of = {person.id: person.unit_id for person in people}
    expected = {a.entry_id for a in awards if a.category == "unit"}
    expected |= {a.unit_id for a in awards if a.category == "video"}
    expected |= {unit_of[a.entry_id] for a in awards if a.category == "individual"}
    codes = {unit.id: unit.code for unit in units}
    assert [row[0] for row in bonus[1:]] == [codes[unit_id] for unit_id in sorted(expected)]
    assert "Tập thể: Giải Nhất" in bonus[1][2]
    workbook.close()

    csv_response = client.get(in_contest(contest, "/results/exports/prizes.csv"))
    assert csv_response.data.startswith(codecs.BOM_UTF8)
    text = csv_response.data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[1] == ["Tập thể", "Giải Nhất", "1", units[0].name, "10000000"]
    assert lines[-1] == ["Tổng", "", "", "", "61000000"]
    people_csv = client.get(in_contest(contest, "/results/exports/individuals.csv")).data.decode(
        "utf-8-sig"
    )
    assert list(csv.reader(io.StringIO(people_csv), delimiter=";"))[1][1] == "'=HYPERLINK(1) Nguyễn"
    assert client.get(in_contest(contest, "/results/exports/all.csv")).status_code == 404
    assert client.get(in_contest(contest, "/results/exports/secrets.xlsx")).status_code == 404


def workbook_values(response) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    values = {name: list(workbook[name].values) for name in workbook.sheetnames}
    workbook.close()
    return values


@pytest.fixture
def organizer_after_close(client, contest_with_results, frozen_clock):
    """An organizer logged in an hour after the close of `contest_with_results`."""
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)
    frozen_clock.now = NOW + timedelta(hours=1)
    return organizer


def test_exports_after_approval_are_the_approved_results(
    client, contest_with_results, organizer_after_close, frozen_clock
):
    contest, units, people = contest_with_results
    organizer = organizer_after_close
    provisional = client.get(in_contest(contest, "/results/exports/all.xlsx"))
    assert "ket-qua-tam-tinh-all-" in provisional.headers["Content-Disposition"]
    snapshot = workflow.approve_results(contest, organizer, None, frozen_clock.now)
    db.session.commit()

    # A late round that would top the ranking and a video scored again after the approval.
    late = make_user(unit=units[11], full_name="Người Nộp Muộn")
    graded_round(contest, late, 10, 1_000, NOW - timedelta(hours=2))
    video = db.session.query(Video).filter_by(unit_id=units[11].id).one()
    for sheet in db.session.query(Score).filter_by(video_id=video.id):
        sheet.total = Decimal(100)
    db.session.commit()
    assert compute_standings(contest).individuals[0].result.participant_id == late.id

    approved = client.get(in_contest(contest, "/results/exports/all.xlsx"))
    assert "ket-qua-all-" in approved.headers["Content-Disposition"]
    before, after = workbook_values(provisional), workbook_values(approved)
    assert after["Thông tin"][1] == (
        "Kết quả",
        f"Đã phê duyệt lúc 16/10/2026 08:00 (bản {snapshot.id}).",
    )
    for name in ("Giải thưởng", "Đơn vị", "Cá nhân", "Điểm thưởng PAR Index"):
        assert after[name] == before[name], name
    # The videos sheet ranks as approved; the judges' points beside it are the current ones.
    assert [row[:6] for row in after["Video"]] == [row[:6] for row in before["Video"]]
    people_csv = client.get(in_contest(contest, "/results/exports/individuals.csv"))
    assert "ket-qua-individuals-" in people_csv.headers["Content-Disposition"]
    assert "Người Nộp Muộn" not in people_csv.data.decode("utf-8-sig")

    workflow.reopen_results(contest, organizer, "Khiếu nại", frozen_clock.now)
    db.session.commit()
    reopened = workbook_values(client.get(in_contest(contest, "/results/exports/all.xlsx")))
    assert reopened["Cá nhân"][1][1] == "Người Nộp Muộn"


def test_approval_freezes_the_results_until_reopened_and_publication_is_on_time(
    client, contest_with_results, frozen_clock
):
    contest, units, people = contest_with_results
    contest.results_publish_at = NOW + timedelta(days=10)
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)

    def step(name, **fields):
        token = form_token(client, in_contest(contest, "/results/standings"))
        return client.post(
            in_contest(contest, f"/results/workflow/{name}"), data={"csrf_token": token, **fields}
        )

    frozen_clock.now = NOW - timedelta(hours=1)  # the quiz is still open
    step("approve")
    assert db.session.query(ResultsSnapshot).count() == 0
    frozen_clock.now = NOW + timedelta(hours=1)
    step("approve", remarks="Tổ Thư ký đã rà soát")
    snapshot = db.session.query(ResultsSnapshot).one()
    assert snapshot.content["total_amount"] == 61_000_000
    assert snapshot.content["prizes"][0]["label"] == units[0].name
    # A later change of scores moves the live standings, not the approved results.
    video = db.session.query(Video).filter_by(unit_id=units[11].id).one()
    for sheet in db.session.query(Score).filter_by(video_id=video.id):
        sheet.total = Decimal(100)
    db.session.commit()
    live = compute_standings(contest).videos[0]
    assert live.video_id == video.id
    db.session.refresh(snapshot)
    assert snapshot.content["videos"][0]["video_id"] != video.id
    assert (
        client.get(in_contest(contest, "/results/prizes")).status_code == 404
    )  # not yet the publication time
    ApiClient(client).delete("/session")  # a visitor, not logged in
    frozen_clock.now = contest.results_publish_at
    public = client.get(in_contest(contest, "/results/prizes"))
    assert public.status_code == 200
    assert "61.000.000 đ" in public.get_data(as_text=True)
    # Reopening needs a reason and is logged; the public page goes away with the approval.
    ApiClient(client).login(organizer)
    step("reopen", reason="")
    assert snapshot.revoked_at is None
    step("reopen", reason="Khiếu nại của đơn vị được chấp nhận")
    db.session.refresh(snapshot)
    assert snapshot.revoked_at is not None
    actions = [entry.action for entry in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions == ["results_approved", "results_reopened"]
    log = client.get(in_contest(contest, "/organizer/audit")).get_data(as_text=True)
    assert "Kết quả được mở lại" in log
    assert "Khiếu nại của đơn vị được chấp nhận" in log
    assert client.get(in_contest(contest, "/results/prizes")).status_code == 404


def test_approval_waits_for_every_tie_and_publish_now(client, contest_with_results, frozen_clock):
    contest, units, people = contest_with_results
    tenth = compute_standings(contest).individuals[9].result
    twin = make_user(unit=units[5])
    graded_round(contest, twin, tenth.correct_count, tenth.duration_ms, tenth.finished_at)
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    frozen_clock.now = NOW + timedelta(days=1)
    ApiClient(client).login(organizer)
    token = form_token(client, in_contest(contest, "/results/standings"))
    client.post(in_contest(contest, "/results/workflow/approve"), data={"csrf_token": token})
    assert db.session.query(ResultsSnapshot).count() == 0
    client.post(in_contest(contest, "/results/workflow/publish"), data={"csrf_token": token})
    assert contest.results_publish_at is None
    tie = compute_standings(contest).prizes.pending_ties[0]
    order = {f"position-{entry}": str(n) for n, entry in enumerate(tie.entry_ids, 1)}
    client.post(
        in_contest(contest, f"/results/ties/{tie.tie_id}"),
        data={"csrf_token": token, **order, "reason": "Bốc thăm"},
    )
    client.post(in_contest(contest, "/results/workflow/approve"), data={"csrf_token": token})
    assert db.session.query(ResultsSnapshot).count() == 1
    client.post(in_contest(contest, "/results/workflow/publish"), data={"csrf_token": token})
    db.session.refresh(contest)
    assert contest.results_publish_at == frozen_clock.now
    assert client.get(in_contest(contest, "/results/prizes")).status_code == 200


def test_the_dashboard_charts_participation_and_lists_who_has_not_played(
    client, contest_with_results
):
    contest, units, people = contest_with_results
    idle = make_user(unit=units[0], full_name="Chưa Thi Lần Nào")
    admin = make_user(Role.UNIT_ADMIN, unit=units[0])
    other_admin = make_user(Role.UNIT_ADMIN, unit=units[1])
    organizer = make_user(Role.ORGANIZER)
    db.session.commit()
    ApiClient(client).login(organizer)
    page = client.get(in_contest(contest, "/organizer/")).get_data(as_text=True)
    assert f"3/{units[0].headcount} · 15%" in page  # 3 of 20 took part
    assert 'class="column"' in page
    absent = client.get(in_contest(contest, f"/organizer/participation/{units[0].id}")).get_data(
        as_text=True
    )
    assert idle.full_name in absent
    assert people[0].full_name not in absent
    ApiClient(client).login(admin)
    assert (
        client.get(in_contest(contest, f"/organizer/participation/{units[0].id}")).status_code
        == 200
    )
    ApiClient(client).login(other_admin)
    assert (
        client.get(in_contest(contest, f"/organizer/participation/{units[0].id}")).status_code
        == 403
    )
    ApiClient(client).login(idle)
    assert (
        client.get(in_contest(contest, f"/organizer/participation/{units[0].id}")).status_code
        == 403
    )
    assert client.get(in_contest(contest, "/organizer/participation/987654")).status_code in (
        403,
        404,
    )


def test_a_snapshot_approved_before_awards_kept_their_unit_still_exports(
    client, contest_with_results, organizer_after_close, frozen_clock
):
    contest, units, people = contest_with_results
    organizer = organizer_after_close
    live = workbook_values(client.get(in_contest(contest, "/results/exports/all.xlsx")))
    snapshot = workflow.approve_results(contest, organizer, None, frozen_clock.now)
    content = dict(snapshot.content)  # as migration 3a1800a74700 left older snapshots
    content["units"] = [
        {key: value for key, value in line.items() if key not in ("code", "has_video")}
        for line in content["units"]
    ]
    content["prizes"] = [
        {key: value for key, value in award.items() if key not in ("unit_id", "tie_id")}
        for award in content["prizes"]
    ]
    content["videos"] = [
        {key: value for key, value in video.items() if key != "unit_id"}
        for video in content["videos"]
    ]
    snapshot.content = content
    db.session.commit()
    frozen = workbook_values(client.get(in_contest(contest, "/results/exports/all.xlsx")))
    for name in ("Giải thưởng", "Đơn vị", "Cá nhân", "Điểm thưởng PAR Index"):
        assert frozen[name] == live[name], name
