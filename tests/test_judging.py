"""The judges' panel and score sheet, and the organizers' judging pages."""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contest.extensions import db
from contest.models import AuditEntry, Role, Score, ScoreState, Video, VideoForm, VideoState
from tests.helpers import ApiClient, form_token, in_contest, make_contest, make_unit, make_user

_keys = itertools.count(1)


def make_ready_video(contest, unit, title: str) -> Video:
    """A ready video row (no file: these tests are about scores, not media)."""
    n = next(_keys)
    video = Video(
        contest=contest,
        unit_id=unit.id,
        title=title,
        form=VideoForm.SONG,
        original_filename=f"{title}.mp4",
        size_bytes=1000,
        part_size=1000,
        storage_key=f"videos/{contest.id}/k{n}/original",
        playback_key=f"videos/{contest.id}/k{n}/original",
        state=VideoState.READY,
        ready_at=datetime.now(UTC),
    )
    db.session.add(video)
    db.session.flush()
    return video


class World:
    def __init__(self):
        now = datetime.now(UTC)
        self.contest = make_contest(
            now, video_opens_at=now - timedelta(days=9), video_closes_at=now - timedelta(days=1)
        )
        self.unit_a, self.unit_b, self.unit_c = make_unit(), make_unit(), make_unit()
        self.video_a = make_ready_video(self.contest, self.unit_a, "Video A")
        self.video_b = make_ready_video(self.contest, self.unit_b, "Video B")
        self.judge = make_user(Role.JUDGE, unit=self.unit_a, full_name="Giám khảo Một")
        self.judge_2 = make_user(Role.JUDGE, unit=self.unit_c, full_name="Giám khảo Hai")
        self.organizer = make_user(Role.ORGANIZER)
        db.session.commit()
        self.criteria = self.contest.rubric


@pytest.fixture
def world(db_session):
    return World()


def login(client, user) -> None:
    ApiClient(client).login(user)


def post_sheet(client, video, action="draft", points=(30, 20, 15, 8), comment="", reason=""):
    path = in_contest(video.contest, f"/judging/videos/{video.id}")
    data = {"csrf_token": form_token(client, path), "action": action, "comment": comment}
    data["conflict_reason"] = reason
    for criterion, value in zip(video.contest.rubric, points, strict=False):
        data[f"points-{criterion.id}"] = str(value)
    return client.post(path, data=data)


def test_the_default_rubric_is_the_seed_plans(world):
    names = [(c.name, c.max_points) for c in world.criteria]
    assert names == [
        ("Nội dung", Decimal(40)),
        ("Sáng tạo", Decimal(30)),
        ("Kỹ thuật", Decimal(20)),
        ("Thông điệp", Decimal(10)),
    ]
    assert world.contest.rubric_max_total == Decimal(100)


def test_a_judge_never_sees_their_own_units_video(client, world):
    login(client, world.judge)
    page = client.get(in_contest(world.contest, "/judging/")).get_data(as_text=True)
    assert "Video B" in page
    assert "Video A" not in page
    assert "Đã chấm 0 / 1 video" in page
    assert (
        client.get(in_contest(world.contest, f"/judging/videos/{world.video_a.id}")).status_code
        == 403
    )


def test_draft_then_submit_locks_the_sheet(client, world):
    login(client, world.judge)
    draft = post_sheet(client, world.video_b, "draft", points=(30, "", "", ""))
    assert draft.status_code == 302
    sheet = db.session.query(Score).one()
    assert sheet.state is ScoreState.DRAFT
    assert sheet.total == Decimal(30)
    incomplete = post_sheet(client, world.video_b, "submit", points=(30, "", "", ""))
    assert incomplete.status_code == 422
    submitted = post_sheet(client, world.video_b, "submit", points=("35,5", 20, 15, "8.25"))
    assert submitted.status_code == 302
    db.session.refresh(sheet)
    assert sheet.state is ScoreState.SUBMITTED
    assert sheet.total == Decimal("78.75")
    again = post_sheet(client, world.video_b, "draft", points=(1, 1, 1, 1))
    assert again.status_code == 422
    db.session.refresh(sheet)
    assert sheet.total == Decimal("78.75")
    panel = client.get(in_contest(world.contest, "/judging/?status=submitted")).get_data(
        as_text=True
    )
    assert "Video B" in panel
    assert "78,75" in panel
    assert "Video B" not in client.get(
        in_contest(world.contest, "/judging/?status=to_score")
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    "points", [(41, 1, 1, 1), (-1, 1, 1, 1), ("abc", 1, 1, 1), ("1.234", 1, 1, 1)]
)
def test_points_outside_the_rubric_are_refused(client, world, points):
    login(client, world.judge)
    response = post_sheet(client, world.video_b, "submit", points=points)
    assert response.status_code == 422
    assert db.session.query(Score).count() == 0


def test_a_declared_conflict_is_an_abstention_not_a_zero(client, world):
    for judge, points in ((world.judge, None), (world.judge_2, (30, 20, 10, 10))):
        login(client, judge)
        if points is None:
            response = post_sheet(client, world.video_b, "conflict", reason="Người thân dự thi")
        else:
            response = post_sheet(client, world.video_b, "submit", points=points)
        assert response.status_code == 302
    login(client, world.organizer)
    page = client.get(in_contest(world.contest, "/judging/overview")).get_data(as_text=True)
    assert "<strong>70</strong>" in page  # the mean of one judge, not (70 + 0) / 2
    conflict = db.session.query(Score).filter_by(judge_id=world.judge.id).one()
    assert conflict.state is ScoreState.CONFLICT
    assert conflict.total is None


def test_every_faulty_field_is_marked_at_once_in_vietnamese(client, world):
    login(client, world.judge)
    response = post_sheet(client, world.video_b, "submit", points=("abc", 31, "", "1,234"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Hãy kiểm tra lại 4 ô được đánh dấu." in page
    assert "Nội dung: hãy nhập một số." in page
    assert "Sáng tạo: từ 0 đến 30 điểm." in page
    assert "Kỹ thuật: cần cho điểm trước khi nộp." in page
    assert "Thông điệp: tối đa hai chữ số thập phân." in page
    assert page.count('aria-invalid="true"') == 4
    assert 'value="abc"' in page  # what the judge typed stays in the fields
    assert "novalidate" in page  # the app's messages, not the browser's
    # A draft may leave fields empty; a faulty one is still marked.
    draft = post_sheet(client, world.video_b, "draft", points=("", 31, "", ""))
    assert draft.status_code == 422
    assert draft.get_data(as_text=True).count('aria-invalid="true"') == 1
    assert db.session.query(Score).count() == 0


def test_a_conflict_needs_a_reason_and_is_not_counted_as_scored(client, world):
    login(client, world.judge)
    refused = post_sheet(client, world.video_b, "conflict", reason="  ")
    assert refused.status_code == 422
    assert "Hãy ghi lý do bạn không thể chấm video này." in refused.get_data(as_text=True)
    assert db.session.query(Score).count() == 0
    assert post_sheet(client, world.video_b, "conflict", reason="Vợ tôi dự thi").status_code == 302
    sheet_page = client.get(
        in_contest(world.contest, f"/judging/videos/{world.video_b.id}")
    ).get_data(as_text=True)
    assert "Không chấm (xung đột lợi ích): Vợ tôi dự thi" in sheet_page
    panel = client.get(in_contest(world.contest, "/judging/")).get_data(as_text=True)
    assert "Đã chấm 0 / 1 video" in panel
    assert "không chấm (xung đột lợi ích): 1" in panel
    assert 'class="tag status-conflict">Không chấm (xung đột lợi ích)' in panel
    assert "Đã nộp</span>" not in panel
    conflicts = client.get(in_contest(world.contest, "/judging/?status=conflict"))
    assert "Video B" in conflicts.get_data(as_text=True)
    login(client, world.organizer)
    dashboard = client.get(in_contest(world.contest, "/organizer/")).get_data(as_text=True)
    assert "không chấm (xung đột lợi ích)" in dashboard


def test_reopening_a_submitted_score_is_logged(client, world):
    login(client, world.judge)
    post_sheet(client, world.video_b, "submit")
    sheet = db.session.query(Score).one()
    login(client, world.organizer)
    token = form_token(client, in_contest(world.contest, "/judging/overview"))
    refused = client.post(
        in_contest(world.contest, f"/judging/scores/{sheet.id}/reopen"), data={"csrf_token": token}
    )
    assert refused.status_code == 302
    db.session.refresh(sheet)
    assert sheet.state is ScoreState.SUBMITTED  # no reason, no reopening
    client.post(
        in_contest(world.contest, f"/judging/scores/{sheet.id}/reopen"),
        data={"csrf_token": token, "reason": "Giám khảo nhập nhầm điểm"},
    )
    db.session.refresh(sheet)
    assert sheet.state is ScoreState.DRAFT
    entry = db.session.query(AuditEntry).one()
    assert entry.action == "score_reopened"
    assert entry.actor_id == world.organizer.id
    assert entry.details["reason"] == "Giám khảo nhập nhầm điểm"
    assert entry.details["previous_total"] == "73.00"
    login(client, world.judge)
    assert post_sheet(client, world.video_b, "submit", points=(40, 30, 20, 10)).status_code == 302
    db.session.refresh(sheet)
    assert sheet.total == Decimal(100)
    token = form_token(client, in_contest(world.contest, "/judging/"))
    forged = client.post(
        in_contest(world.contest, f"/judging/scores/{sheet.id}/reopen"),
        data={"csrf_token": token, "reason": "x"},
    )
    assert forged.status_code == 403


def test_blind_judging_hides_unit_names(client, world):
    login(client, world.judge)
    assert world.unit_b.name in client.get(in_contest(world.contest, "/judging/")).get_data(
        as_text=True
    )
    world.contest.judging_blind = True
    db.session.commit()
    assert world.unit_b.name not in client.get(in_contest(world.contest, "/judging/")).get_data(
        as_text=True
    )
    sheet_page = client.get(
        in_contest(world.contest, f"/judging/videos/{world.video_b.id}")
    ).get_data(as_text=True)
    assert world.unit_b.name not in sheet_page


def test_assignments_narrow_a_judges_videos(client, world):
    video_c = make_ready_video(world.contest, world.unit_c, "Video C")
    db.session.commit()
    login(client, world.organizer)
    token = form_token(client, in_contest(world.contest, "/judging/assignments"))
    client.post(
        in_contest(world.contest, "/judging/assignments"),
        data={"csrf_token": token, "judge_id": world.judge.id, "video_id": [str(video_c.id)]},
    )
    login(client, world.judge)
    page = client.get(in_contest(world.contest, "/judging/")).get_data(as_text=True)
    assert "Video C" in page
    assert "Video B" not in page
    assert (
        client.get(in_contest(world.contest, f"/judging/videos/{world.video_b.id}")).status_code
        == 403
    )
    login(client, world.organizer)
    client.post(
        in_contest(world.contest, "/judging/assignments"),
        data={
            "csrf_token": form_token(client, in_contest(world.contest, "/judging/assignments")),
            "judge_id": world.judge.id,
        },
    )
    login(client, world.judge)
    assert "Video B" in client.get(in_contest(world.contest, "/judging/")).get_data(as_text=True)


def test_the_overview_flags_disagreement_and_lists_missing_judges(client, world):
    login(client, world.judge)
    post_sheet(client, world.video_b, "submit", points=(40, 30, 20, 10))
    login(client, world.judge_2)
    post_sheet(client, world.video_b, "submit", points=(20, 10, 10, 5))
    login(client, world.organizer)
    page = client.get(in_contest(world.contest, "/judging/overview")).get_data(as_text=True)
    assert "<strong>72,5</strong>" in page
    assert "flagged" in page
    # Video A: judge 2 (unit C) has not scored it; judge 1 is its unit's, so never missing.
    video_a_part = page.split("Video A")[1]
    assert "Giám khảo Hai" in video_a_part.split("</p>")[1]


def test_the_rubric_can_be_edited_until_points_are_given(client, world):
    login(client, world.organizer)
    token = form_token(client, in_contest(world.contest, "/judging/rubric"))
    criteria = world.criteria
    data = {"csrf_token": token}
    for n, criterion in enumerate(criteria):
        data[f"criteria-{n}-criterion_id"] = str(criterion.id)
        data[f"criteria-{n}-criterion_name"] = criterion.name
        data[f"criteria-{n}-max_points"] = str(criterion.max_points)
    data["criteria-1-criterion_name"] = ""  # remove "Sáng tạo"
    data["criteria-4-criterion_name"] = "Lan tỏa"
    data["criteria-4-max_points"] = "30"
    assert client.post(in_contest(world.contest, "/judging/rubric"), data=data).status_code == 302
    db.session.refresh(world.contest)
    assert [c.name for c in world.contest.rubric] == [
        "Nội dung",
        "Kỹ thuật",
        "Thông điệp",
        "Lan tỏa",
    ]
    login(client, world.judge)
    post_sheet(client, world.video_b, "draft", points=(10, 10, 10, 10))
    login(client, world.organizer)
    locked = {"csrf_token": form_token(client, in_contest(world.contest, "/judging/rubric"))}
    for n, criterion in enumerate(world.contest.rubric):
        locked[f"criteria-{n}-criterion_id"] = str(criterion.id)
        locked[f"criteria-{n}-criterion_name"] = criterion.name + " (sửa)"
        locked[f"criteria-{n}-max_points"] = "50"
    page = client.post(
        in_contest(world.contest, "/judging/rubric"), data=locked, follow_redirects=True
    )
    assert "không thể thay đổi tiêu chí và điểm tối đa nữa" in page.get_data(as_text=True)
    db.session.refresh(world.contest)
    assert [c.max_points for c in world.contest.rubric] == [40, 20, 10, 30]
