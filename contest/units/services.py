"""Units and their groups, site-wide: add, rename, recode, regroup, deactivate and merge;
and which units take part in a contest, with that contest's headcounts."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import selectinload

from contest.domain.units_file import MAX_HEADCOUNT, NAME_LENGTH, normalize_code
from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    BestRound,
    Contest,
    ParticipatingUnit,
    ResultsSnapshot,
    Score,
    ScoreState,
    Unit,
    UnitGroup,
    User,
    Video,
)
from contest.models.audit import record
from contest.results.workflow import current_snapshot
from contest.videos.services import places_taken


class UnitRefused(Refused):
    code, status = "unit_refused", 422
    message = _l("This change to the units cannot be made.")


@dataclass(frozen=True)
class UnitDraft:
    """A unit as a form gives it: code (any case), name, group and site-wide headcount."""

    code: str
    name: str
    group_id: int
    headcount: int


@dataclass(frozen=True)
class UnitLine:
    unit: Unit
    people: int  # accounts in the unit


@dataclass(frozen=True)
class GroupListing:
    group: UnitGroup
    lines: list[UnitLine]


def units_by_group() -> list[GroupListing]:
    """Every group with its units (active first) and how many accounts each unit holds."""
    people = dict(
        db.session.execute(
            select(User.unit_id, func.count())
            .where(User.unit_id.is_not(None))
            .group_by(User.unit_id)
        ).all()
    )
    groups = db.session.scalars(
        select(UnitGroup)
        .options(selectinload(UnitGroup.units).selectinload(Unit.merged_into))
        .order_by(UnitGroup.position, UnitGroup.code)
    )
    return [
        GroupListing(
            group,
            [
                UnitLine(unit, people.get(unit.id, 0))
                for unit in sorted(group.units, key=lambda u: (not u.active, u.position, u.code))
            ],
        )
        for group in groups
    ]


def all_groups() -> list[UnitGroup]:
    return list(db.session.scalars(select(UnitGroup).order_by(UnitGroup.position, UnitGroup.code)))


def _checked_code(code: str) -> str:
    normalized = normalize_code(code)
    if normalized is None:
        raise UnitRefused(
            _l(
                "A code is 1 to 32 letters without diacritics, digits, '.', '_' or '-', "
                "starting with a letter or a digit."
            )
        )
    return normalized


def _checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_LENGTH:
        raise UnitRefused(_l("A name has 1 to %(limit)s characters.", limit=NAME_LENGTH))
    return name


def _checked_headcount(headcount: int) -> int:
    if not isinstance(headcount, int) or not 0 <= headcount <= MAX_HEADCOUNT:
        raise UnitRefused(_l("A headcount is a whole number from 0 to %(max)s.", max=MAX_HEADCOUNT))
    return headcount


def _unit_code_is_free(code: str, unit: Unit | None = None) -> None:
    other = db.session.scalar(select(Unit).where(Unit.code == code))
    if other is not None and other is not unit:
        raise UnitRefused(
            _l("The code %(code)s is already the unit «%(name)s»'s.", code=code, name=other.name)
        )


def _group_code_is_free(code: str, group: UnitGroup | None = None) -> None:
    other = db.session.scalar(select(UnitGroup).where(UnitGroup.code == code))
    if other is not None and other is not group:
        raise UnitRefused(
            _l("The code %(code)s is already the group «%(name)s»'s.", code=code, name=other.name)
        )


def _group(group_id: int) -> UnitGroup:
    group = db.session.get(UnitGroup, group_id)
    if group is None:
        raise UnitRefused(_l("Choose the unit's group from the list."))
    return group


def _next_position(group: UnitGroup) -> int:
    last = db.session.scalar(select(func.max(Unit.position)).where(Unit.group_id == group.id))
    return (last or 0) + 1


def create_group(code: str, name: str, actor: User, now: datetime) -> UnitGroup:
    """A new group of units, listed last; logged."""
    code, name = _checked_code(code), _checked_name(name)
    _group_code_is_free(code)
    last = db.session.scalar(select(func.max(UnitGroup.position))) or 0
    group = UnitGroup(code=code, name=name, position=last + 1)
    db.session.add(group)
    db.session.flush()
    record("unit_group_created", actor, None, f"unit_group:{group.id}", now, code=code, name=name)
    return group


def change_group(group: UnitGroup, code: str, name: str, actor: User, now: datetime) -> None:
    """Rename or recode a group; logged with what changed."""
    code, name = _checked_code(code), _checked_name(name)
    _group_code_is_free(code, group)
    changes = _apply(group, {"code": code, "name": name})
    if changes:
        record("unit_group_changed", actor, None, f"unit_group:{group.id}", now, **changes)
    db.session.flush()


def create_unit(draft: UnitDraft, actor: User, now: datetime) -> Unit:
    """A new active unit, last in its group; logged. It takes part in no contest until the
    organizers add it to one (the contest's participating units)."""
    code, name = _checked_code(draft.code), _checked_name(draft.name)
    headcount = _checked_headcount(draft.headcount)
    _unit_code_is_free(code)
    group = _group(draft.group_id)
    unit = Unit(
        code=code, name=name, group=group, headcount=headcount, position=_next_position(group)
    )
    db.session.add(unit)
    db.session.flush()
    record(
        "unit_created",
        actor,
        None,
        f"unit:{unit.id}",
        now,
        code=code,
        name=name,
        group=group.code,
        headcount=headcount,
    )
    return unit


def change_unit(unit: Unit, draft: UnitDraft, actor: User, now: datetime) -> None:
    """Rename, recode, move to another group or change the site-wide headcount (the one a
    contest starts from; each contest keeps its own); logged with what changed."""
    code, name = _checked_code(draft.code), _checked_name(draft.name)
    headcount = _checked_headcount(draft.headcount)
    _unit_code_is_free(code, unit)
    group = _group(draft.group_id)
    changes = _apply(unit, {"code": code, "name": name, "headcount": headcount})
    if group is not unit.group:
        changes["group"] = [unit.group.code, group.code]
        unit.group, unit.position = group, _next_position(group)
    if changes:
        record("unit_changed", actor, None, f"unit:{unit.id}", now, **changes)
    db.session.flush()


def _apply(row, values: dict) -> dict[str, list]:
    """Set the values on the row; the changed ones as {name: [before, after]}."""
    changes = {}
    for name, value in values.items():
        before = getattr(row, name)
        if before != value:
            changes[name] = [before, value]
            setattr(row, name, value)
    return changes


def set_unit_active(unit: Unit, active: bool, actor: User, now: datetime) -> None:
    """Deactivate a unit (no new members, not offered at registration; its history stays)
    or bring it back; logged. A merged unit stays merged."""
    if active and unit.merged_into_id is not None:
        raise UnitRefused(
            _l(
                "This unit was merged into «%(name)s»: it cannot be reactivated.",
                name=unit.merged_into.name,
            )
        )
    if unit.active == active:
        return
    unit.active = active
    record(
        "unit_reactivated" if active else "unit_deactivated", actor, None, f"unit:{unit.id}", now
    )
    db.session.flush()


@dataclass(frozen=True)
class MergeReport:
    people: int
    best_rounds: int
    videos: int
    sheets: int  # judges' sheets that became abstentions
    contests: list[int]  # contests whose participation changed


def frozen_contest_ids() -> set[int]:
    """Contests whose results are approved (a snapshot in force): a merge leaves them be."""
    return set(
        db.session.scalars(
            select(ResultsSnapshot.contest_id).where(ResultsSnapshot.revoked_at.is_(None))
        )
    )


def merge_problems(source: Unit, target: Unit, now: datetime) -> list[str]:
    """Why `source` cannot be merged into `target` now (empty: it can)."""
    if source.id == target.id:
        return [str(_l("A unit cannot be merged into itself."))]
    if source.merged_into_id is not None:
        return [
            str(_l("This unit is already merged into «%(name)s».", name=source.merged_into.name))
        ]
    if not target.active:
        return [str(_l("«%(name)s» is deactivated: merge into an active unit.", name=target.name))]
    problems = []
    frozen = frozen_contest_ids()
    open_windows = db.session.scalars(
        select(Contest).where(Contest.video_opens_at <= now, Contest.video_closes_at > now)
    )
    for contest in open_windows:
        if contest.id in frozen:
            continue
        held = places_taken(contest, source.id) + places_taken(contest, target.id)
        if held > contest.max_videos_per_unit:
            problems.append(
                str(
                    _l(
                        "In «%(contest)s», whose video window is open, the two units hold "
                        "%(held)s videos together, more than the %(limit)s a unit may: a "
                        "unit admin withdraws some first.",
                        contest=contest.name,
                        held=held,
                        limit=contest.max_videos_per_unit,
                    )
                )
            )
    return problems


def merge_units(
    source: Unit, target: Unit, headcount: int, actor: User, now: datetime
) -> MergeReport:
    """Merge `source` into `target` (departments merged in 2025), all or nothing; logged.

    - people (users.unit_id) and their best rounds (best_rounds.unit_id, which mirrors it)
      move to `target` in every contest;
    - in every contest whose results are not approved: the videos move, `source`'s
      participation joins `target`'s (headcounts add up; `target` joins if it did not take
      part), and a judge's sheet on a video of the other unit becomes an abstention
      (a judge never scores their own unit), its points kept in the audit log;
    - contests with approved results keep everything as approved: their snapshot holds the
      names and units of the time, and their videos and participation stay with `source`;
    - `source` is deactivated and names `target`; `target` takes the headcount given.

    Refused into itself, into a deactivated unit, for a unit merged already, and where an
    open video window would see the merged unit hold more videos than a unit may.
    """
    problems = merge_problems(source, target, now)
    if problems:
        raise UnitRefused(" ".join(problems))
    headcount = _checked_headcount(headcount)
    frozen = frozen_contest_ids()
    live = Contest.id.not_in(frozen) if frozen else True

    sheets = _sheets_turned_to_abstentions(source, target, frozen, actor, now)
    moved_rounds = db.session.execute(
        update(BestRound)
        .where(BestRound.user_id.in_(select(User.id).where(User.unit_id == source.id)))
        .values(unit_id=target.id),
        execution_options={"synchronize_session": False},
    ).rowcount
    people = db.session.execute(
        update(User).where(User.unit_id == source.id).values(unit_id=target.id),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    videos = db.session.execute(
        update(Video)
        .where(Video.unit_id == source.id, Video.contest_id.in_(select(Contest.id).where(live)))
        .values(unit_id=target.id),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    db.session.expire_all()  # best rounds and users loaded before see their new unit

    contests = []
    rows = db.session.scalars(
        select(ParticipatingUnit)
        .join(Contest, Contest.id == ParticipatingUnit.contest_id)
        .where(ParticipatingUnit.unit_id == source.id, live)
    ).all()
    for row in rows:
        into = db.session.get(ParticipatingUnit, (row.contest_id, target.id))
        before = into.headcount if into is not None else None
        if into is None:
            into = ParticipatingUnit(contest_id=row.contest_id, unit_id=target.id, headcount=0)
            db.session.add(into)
        into.headcount += row.headcount
        record(
            "unit_merged",
            actor,
            row.contest_id,
            f"unit:{source.id}",
            now,
            source=source.code,
            into=target.code,
            headcount=[before, into.headcount],
        )
        contests.append(row.contest_id)
        db.session.delete(row)

    site_headcount = [target.headcount, headcount]
    target.headcount = headcount
    source.active, source.merged_into, source.merged_at = False, target, now
    record(
        "unit_merged",
        actor,
        None,
        f"unit:{source.id}",
        now,
        source=source.code,
        into=target.code,
        people=people,
        best_rounds=moved_rounds,
        videos=videos,
        sheets=sheets,
        contests=contests,
        headcount=site_headcount,
    )
    db.session.flush()
    return MergeReport(people, moved_rounds, videos, sheets, contests)


def _sheets_turned_to_abstentions(
    source: Unit, target: Unit, frozen: set[int], actor: User, now: datetime
) -> int:
    """Judges of either unit scoring a video of either unit, in contests not approved: after
    the merge they would score their own unit, so their sheets become abstentions (logged,
    with the points, on the contest's audit log)."""
    pair = (source.id, target.id)
    query = (
        select(Score)
        .join(Video, Video.id == Score.video_id)
        .join(User, User.id == Score.judge_id)
        .where(
            Video.unit_id.in_(pair),
            User.unit_id.in_(pair),
            Score.state != ScoreState.CONFLICT,
        )
        .options(selectinload(Score.items))
    )
    if frozen:
        query = query.where(Video.contest_id.not_in(frozen))
    sheets = db.session.scalars(query).all()
    for sheet in sheets:
        record(
            "score_abstained_by_merge",
            actor,
            sheet.video.contest_id,
            f"score:{sheet.id}",
            now,
            video_id=sheet.video_id,
            judge_id=sheet.judge_id,
            previous_state=sheet.state.value,
            previous_total=str(sheet.total) if sheet.total is not None else None,
            points={str(item.criterion_id): str(item.points) for item in sheet.items},
        )
        sheet.items = []
        sheet.total = None
        sheet.state, sheet.submitted_at, sheet.updated_at = ScoreState.CONFLICT, now, now
    db.session.flush()
    return len(sheets)


# Participation: the units a contest ranks, each with the contest's own headcount.


def participation(contest: Contest) -> dict[int, int]:
    """The contest's participating units: unit id to the contest's headcount."""
    return dict(
        db.session.execute(
            select(ParticipatingUnit.unit_id, ParticipatingUnit.headcount).where(
                ParticipatingUnit.contest_id == contest.id
            )
        ).all()
    )


def enroll_active_units(contest: Contest) -> None:
    """A new contest takes every active unit with its present headcount (then edited)."""
    taking_part = participation(contest)
    for unit in db.session.scalars(select(Unit).where(Unit.active.is_(True))):
        if unit.id not in taking_part:
            db.session.add(
                ParticipatingUnit(contest_id=contest.id, unit_id=unit.id, headcount=unit.headcount)
            )
    db.session.flush()


def copy_participation(source: Contest, contest: Contest) -> None:
    """`contest` takes the active units that took part in `source`, with their headcounts there."""
    for unit_id, headcount in participation(source).items():
        unit = db.session.get(Unit, unit_id)
        if unit is not None and unit.active:
            db.session.add(
                ParticipatingUnit(contest_id=contest.id, unit_id=unit_id, headcount=headcount)
            )
    db.session.flush()


def set_participation(
    contest: Contest, headcounts: dict[int, int], actor: User, now: datetime
) -> None:
    """Make these units, with these headcounts, the contest's participating units; logged.

    Refused once the results are approved (reopen them first), without any unit, and for a
    deactivated unit that did not take part already (one that did may keep its place)."""
    if current_snapshot(contest) is not None:
        raise UnitRefused(
            _l("The results are approved: reopen them before changing the participating units.")
        )
    if not headcounts:
        raise UnitRefused(_l("Choose at least one participating unit."))
    before = participation(contest)
    units = {
        unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.id.in_(headcounts)))
    }
    for unit_id, headcount in headcounts.items():
        unit = units.get(unit_id)
        if unit is None:
            raise UnitRefused(_l("Choose units from the list."))
        if unit_id not in before and not unit.active:
            raise UnitRefused(
                _l("«%(name)s» is deactivated: it cannot join a contest.", name=unit.name)
            )
        _checked_headcount(headcount)
    removed = sorted(set(before) - set(headcounts))
    added = sorted(set(headcounts) - set(before))
    changed = sorted(i for i in set(before) & set(headcounts) if before[i] != headcounts[i])
    if removed:
        db.session.execute(
            delete(ParticipatingUnit).where(
                ParticipatingUnit.contest_id == contest.id,
                ParticipatingUnit.unit_id.in_(removed),
            )
        )
    for unit_id in added:
        db.session.add(
            ParticipatingUnit(contest_id=contest.id, unit_id=unit_id, headcount=headcounts[unit_id])
        )
    for row in db.session.scalars(
        select(ParticipatingUnit).where(
            ParticipatingUnit.contest_id == contest.id, ParticipatingUnit.unit_id.in_(changed)
        )
    ):
        row.headcount = headcounts[row.unit_id]
    codes = {unit.id: unit.code for unit in db.session.scalars(select(Unit))}
    if added or removed or changed:
        record(
            "participation_changed",
            actor,
            contest.id,
            f"contest:{contest.id}",
            now,
            added=[f"{codes[i]} ({headcounts[i]})" for i in added],
            removed=[codes[i] for i in removed],
            headcounts=[f"{codes[i]}: {before[i]} → {headcounts[i]}" for i in changed],
        )
    db.session.flush()


def participation_choices(
    contest: Contest,
) -> list[tuple[UnitGroup, list[tuple[Unit, int | None]]]]:
    """For the bulk form: each group with its units that may take part (active ones, and
    deactivated ones taking part), each with its headcount in the contest (None: not taking
    part)."""
    taking_part = participation(contest)
    listing = []
    for group in all_groups():
        units = [
            (unit, taking_part.get(unit.id))
            for unit in sorted(group.units, key=lambda u: (u.position, u.code))
            if unit.active or unit.id in taking_part
        ]
        if units:
            listing.append((group, units))
    return listing
