"""Units and groups: changes, deactivation, merges and their refusals; a contest's
participating units and headcounts, which the standings use."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from contest.auth import services as auth_services
from contest.extensions import db
from contest.models import (
    AuditEntry,
    BestRound,
    ParticipatingUnit,
    ResultsSnapshot,
    Role,
    Score,
    ScoreItem,
    ScoreState,
    UnitGroup,
    Video,
    VideoForm,
    VideoState,
)
from contest.organizer.services import participation_by_unit
from contest.results import workflow
from contest.results.standings import compute_standings
from contest.units import services
from contest.units.services import UnitDraft, UnitRefused
from tests.helpers import graded_round, make_contest, make_unit, make_user

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def make_video(contest, unit, title="Video", state=VideoState.READY) -> Video:
    video = Video(
        contest=contest,
        unit_id=unit.id,
        title=title,
        form=VideoForm.SONG,
        original_filename="v.mp4",
        size_bytes=1,
        part_size=1,
        storage_key=f"videos/{contest.id}/{title}-{unit.code}",
        state=state,
    )
    db.session.add(video)
    db.session.flush()
    return video


def sheet(video, judge, points=(30, 20, 10, 5), state=ScoreState.SUBMITTED) -> Score:
    score = Score(
        video=video,
        judge=judge,
        state=state,
        total=sum((Decimal(p) for p in points), Decimal(0)),
        items=[
            ScoreItem(criterion_id=criterion.id, points=Decimal(p))
            for criterion, p in zip(video.contest.rubric, points, strict=True)
        ],
    )
    db.session.add(score)
    db.session.flush()
    return score


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def organizer(db_session):
    return make_user(Role.ORGANIZER)


# Units and groups


def test_a_unit_is_added_renamed_recoded_and_moved_with_a_log(organizer):
    group = services.create_group(" so ", "Sở, ban, ngành", organizer, NOW)
    other = services.create_group("HUYEN", "UBND cấp huyện", organizer, NOW)
    assert (group.code, other.position) == ("SO", group.position + 1)
    unit = services.create_unit(UnitDraft("snv", "Sở Nội vụ", group.id, 45), organizer, NOW)
    assert (unit.code, unit.group, unit.active, unit.position) == ("SNV", group, True, 1)

    services.change_unit(unit, UnitDraft("SNV-2", "Sở Nội vụ tỉnh", other.id, 50), organizer, NOW)
    assert (unit.code, unit.name, unit.group, unit.headcount) == (
        "SNV-2",
        "Sở Nội vụ tỉnh",
        other,
        50,
    )
    [changed] = entries("unit_changed")
    assert changed.target == f"unit:{unit.id}"
    assert changed.details == {
        "code": ["SNV", "SNV-2"],
        "name": ["Sở Nội vụ", "Sở Nội vụ tỉnh"],
        "headcount": [45, 50],
        "group": ["SO", "HUYEN"],
    }
    services.change_unit(unit, UnitDraft("snv-2", "Sở Nội vụ tỉnh", other.id, 50), organizer, NOW)
    assert len(entries("unit_changed")) == 1  # nothing changed, nothing logged
    assert len(entries("unit_created")) == 1
    assert len(entries("unit_group_created")) == 2


@pytest.mark.parametrize(
    ("code", "name", "headcount", "message"),
    [
        ("STP", "Sở X", 10, "đã là mã của đơn vị"),
        ("S TP", "Sở X", 10, "Mã gồm"),
        ("ĐV", "Sở X", 10, "Mã gồm"),
        ("X" * 33, "Sở X", 10, "Mã gồm"),
        ("NEW", "  ", 10, "Tên có"),
        ("NEW", "Sở X", -1, "Biên chế là"),
    ],
)
def test_bad_units_are_refused(organizer, code, name, headcount, message):
    taken = make_unit("STP")
    with pytest.raises(UnitRefused) as refused:
        services.create_unit(UnitDraft(code, name, taken.group_id, headcount), organizer, NOW)
    with pytest.raises(UnitRefused):
        services.change_unit(
            make_unit(), UnitDraft(code, name, taken.group_id, headcount), organizer, NOW
        )
    assert message.lower() in _vi(refused.value.message).lower()


def _vi(message) -> str:
    from flask_babel import force_locale

    with force_locale("vi"):
        return str(message)


def test_a_group_code_is_unique(organizer):
    services.create_group("SO", "Sở", organizer, NOW)
    with pytest.raises(UnitRefused):
        services.create_group("so", "Sở khác", organizer, NOW)
    group = services.create_group("HUYEN", "Huyện", organizer, NOW)
    services.change_group(group, "QH", "Quận, huyện", organizer, NOW)
    assert entries("unit_group_changed")[0].details == {
        "code": ["HUYEN", "QH"],
        "name": ["Huyện", "Quận, huyện"],
    }


def test_a_deactivated_unit_keeps_its_people_and_is_not_offered(organizer):
    contest = make_contest(NOW - DAY)
    active, closing = make_unit(), make_unit()
    person = make_user(unit=closing)
    services.set_unit_active(closing, False, organizer, NOW)
    assert not closing.takes_members
    assert person.unit is closing
    offered = [unit for _, units in auth_services.registration_units(NOW) for unit in units]
    assert active in offered
    assert closing not in offered
    services.set_unit_active(closing, True, organizer, NOW)
    assert [e.action for e in db.session.scalars(select(AuditEntry))] == [
        "unit_deactivated",
        "unit_reactivated",
    ]
    assert contest.id  # the contest stays as it was


def test_registration_offers_the_units_of_open_and_coming_contests(organizer):
    taking_part, elsewhere, past_only = make_unit(), make_unit(), make_unit()
    open_contest = make_contest(NOW - DAY)
    past = make_contest(NOW - 40 * DAY, quiz_closes_at=NOW - 10 * DAY)
    services.set_participation(open_contest, {taking_part.id: 10}, organizer, NOW)
    services.set_participation(past, {past_only.id: 10}, organizer, NOW)
    offered = [unit for _, units in auth_services.registration_units(NOW) for unit in units]
    assert offered == [taking_part]
    # Between contests every active unit is offered.
    after_all = [u for _, units in auth_services.registration_units(NOW + 60 * DAY) for u in units]
    assert {taking_part, elsewhere, past_only} <= set(after_all)


# Merges


@pytest.fixture
def merger(organizer):
    """Unit A (2 people, 1 judge, videos) to merge into B, in a live contest and in a past
    contest whose results are approved."""
    past = make_contest(NOW - 60 * DAY, quiz_closes_at=NOW - 30 * DAY)
    live = make_contest(
        NOW - DAY, video_opens_at=NOW - DAY, video_closes_at=NOW + DAY, max_videos_per_unit=2
    )
    a, b = make_unit("A", headcount=30), make_unit("B", headcount=50)
    ann, binh = make_user(unit=a), make_user(unit=a)
    carl = make_user(unit=b)
    judge_a, judge_b = make_user(Role.JUDGE, unit=a), make_user(Role.JUDGE, unit=b)
    for contest in (past, live):
        graded_round(contest, ann, 8, 100_000, contest.quiz_closes_at - DAY)
        graded_round(contest, carl, 6, 100_000, contest.quiz_closes_at - DAY)
    old_video = make_video(past, a, "Cũ")
    sheet(old_video, judge_b)
    snapshot = workflow.approve_results(past, organizer, None, NOW - 20 * DAY)
    video_a, video_b = make_video(live, a, "A1"), make_video(live, b, "B1")
    by_b_on_a = sheet(video_a, judge_b)
    by_a_on_b = sheet(video_b, judge_a, state=ScoreState.DRAFT)
    return {
        "past": past,
        "live": live,
        "a": a,
        "b": b,
        "people": (ann, binh, judge_a),
        "old_video": old_video,
        "snapshot": snapshot,
        "videos": (video_a, video_b),
        "sheets": (by_b_on_a, by_a_on_b),
    }


def test_a_merge_moves_people_rounds_videos_and_participation_and_is_logged(organizer, merger):
    a, b, live, past = merger["a"], merger["b"], merger["live"], merger["past"]
    frozen = dict(merger["snapshot"].content)
    report = services.merge_units(a, b, 80, organizer, NOW)

    assert report == services.MergeReport(
        people=3, best_rounds=2, videos=1, sheets=2, contests=[live.id]
    )
    assert all(person.unit_id == b.id for person in merger["people"])
    ann = merger["people"][0]
    rounds = db.session.scalars(select(BestRound).where(BestRound.user_id == ann.id)).all()
    assert {r.unit_id for r in rounds} == {b.id}  # in both contests: they follow the person
    assert {v.unit_id for v in merger["videos"]} == {b.id}
    assert (a.active, a.merged_into, a.merged_at, b.headcount) == (False, b, NOW, 80)

    # The live contest: one participating unit, the headcounts added; A ranks no more.
    assert services.participation(live) == {b.id: 80}
    [line] = [u for u in compute_standings(live).units if u.unit_id == b.id]
    assert (line.participants, line.participation.denominator) == (2, 80)
    assert a.id not in {u.unit_id for u in compute_standings(live).units}

    # A judge never scores their own unit: both sheets became abstentions, points in the log.
    for score in merger["sheets"]:
        assert (score.state, score.total, score.items) == (ScoreState.CONFLICT, None, [])
    logged = entries("score_abstained_by_merge")
    assert {e.contest_id for e in logged} == {live.id}
    assert {e.details["previous_state"] for e in logged} == {"submitted", "draft"}
    assert all(e.details["points"] and e.details["previous_total"] == "65" for e in logged)

    # The approved contest keeps its video, its participation and its snapshot.
    assert merger["old_video"].unit_id == a.id
    assert services.participation(past) == {a.id: 30, b.id: 50}
    db.session.expire_all()
    assert db.session.get(ResultsSnapshot, merger["snapshot"].id).content == frozen
    submitted_on_old = db.session.scalars(
        select(Score).where(Score.video_id == merger["old_video"].id)
    ).one()
    assert submitted_on_old.state is ScoreState.SUBMITTED

    site, in_contest = (
        [e for e in entries("unit_merged") if e.contest_id is None],
        [e for e in entries("unit_merged") if e.contest_id == live.id],
    )
    assert site[0].actor is organizer
    assert site[0].target == f"unit:{a.id}"
    assert site[0].details == {
        "source": "A",
        "into": "B",
        "people": 3,
        "best_rounds": 2,
        "videos": 1,
        "sheets": 2,
        "contests": [live.id],
        "headcount": [50, 80],
    }
    assert in_contest[0].details["headcount"] == [50, 80]


def test_a_merge_into_a_unit_not_taking_part_brings_it_in(organizer):
    contest = make_contest(NOW - DAY)
    a, b = make_unit(headcount=12), make_unit(headcount=40)
    services.set_participation(contest, {a.id: 12}, organizer, NOW)
    services.merge_units(a, b, 52, organizer, NOW)
    assert services.participation(contest) == {b.id: 12}


def test_merges_that_break_a_rule_are_refused(organizer, merger):
    a, b = merger["a"], merger["b"]
    with pytest.raises(UnitRefused, match="chính nó"):
        services.merge_units(a, a, 10, organizer, NOW)
    closed = make_unit()
    services.set_unit_active(closed, False, organizer, NOW)
    with pytest.raises(UnitRefused, match="ngừng hoạt động"):
        services.merge_units(a, closed, 10, organizer, NOW)
    # Three videos in an open window where a unit may hold two.
    make_video(merger["live"], b, "B2")
    with pytest.raises(UnitRefused, match="tổng cộng 3 video") as refused:
        services.merge_units(a, b, 80, organizer, NOW)
    assert merger["live"].name in str(refused.value)
    assert a.active
    assert merger["people"][0].unit_id == a.id
    # Once the window has closed the videos may join (the unit still wins one video prize).
    services.merge_units(a, b, 80, organizer, NOW + 2 * DAY)
    with pytest.raises(UnitRefused, match="đã sáp nhập vào"):
        services.merge_units(a, make_unit(), 10, organizer, NOW)
    with pytest.raises(UnitRefused, match="không thể hoạt động lại"):
        services.set_unit_active(a, True, organizer, NOW)


# Participation


def test_participation_uses_the_contests_headcount_and_ranks_only_its_units(organizer):
    contest = make_contest(NOW - 10 * DAY, quiz_closes_at=NOW - DAY)
    taking_part, left_out = make_unit(headcount=10), make_unit(headcount=10)
    for unit in (taking_part, left_out):
        graded_round(contest, make_user(unit=unit), 9, 100_000, NOW - 2 * DAY)
    before = {u.unit_id: u.participation.value for u in compute_standings(contest).units}
    assert before == {taking_part.id: Decimal("0.1"), left_out.id: Decimal("0.1")}

    services.set_participation(contest, {taking_part.id: 4}, organizer, NOW)
    [line] = compute_standings(contest).units
    assert (line.unit_id, line.participation.value) == (taking_part.id, Decimal("0.25"))
    [bar] = participation_by_unit(contest)
    assert (bar.unit, bar.headcount, bar.rate) == (taking_part, 4, 0.25)
    [entry] = entries("participation_changed")
    assert entry.contest_id == contest.id
    assert entry.details == {
        "added": [],
        "removed": [left_out.code],
        "headcounts": [f"{taking_part.code}: 10 → 4"],
    }


def test_participation_changes_are_refused_when_they_break_a_rule(organizer):
    contest = make_contest(NOW - 10 * DAY, quiz_closes_at=NOW - DAY)
    unit, closed = make_unit(), make_unit()
    with pytest.raises(UnitRefused):
        services.set_participation(contest, {}, organizer, NOW)
    with pytest.raises(UnitRefused):
        services.set_participation(contest, {unit.id: -1}, organizer, NOW)
    with pytest.raises(UnitRefused):
        services.set_participation(contest, {10**6: 1}, organizer, NOW)
    services.set_participation(contest, {unit.id: 5}, organizer, NOW)
    services.set_unit_active(closed, False, organizer, NOW)
    with pytest.raises(UnitRefused, match="ngừng hoạt động"):
        services.set_participation(contest, {unit.id: 5, closed.id: 3}, organizer, NOW)
    workflow.approve_results(contest, organizer, None, NOW)
    with pytest.raises(UnitRefused, match="đã được phê duyệt"):
        services.set_participation(contest, {unit.id: 6}, organizer, NOW)
    assert services.participation(contest) == {unit.id: 5}


def test_a_new_contest_takes_every_active_unit(organizer):
    kept, closed = make_unit(headcount=7), make_unit()
    services.set_unit_active(closed, False, organizer, NOW)
    contest = make_contest(NOW)  # the helper enrolls, as a new contest's creation does
    db.session.execute(
        ParticipatingUnit.__table__.delete().where(ParticipatingUnit.contest_id == contest.id)
    )
    services.enroll_active_units(contest)
    assert services.participation(contest) == {kept.id: 7}
    assert isinstance(closed.group, UnitGroup)
