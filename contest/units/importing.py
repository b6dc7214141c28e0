"""Importing units and groups from the template (XLSX) or a CSV file: checked against the
units already there, previewed, then applied whole or not at all."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from contest.domain.question_files.records import Location
from contest.domain.question_files.tabular import table_rows
from contest.domain.units_file import UNITS_SHEET, RowProblem, UnitRow, read_units
from contest.errors import Refused
from contest.extensions import db
from contest.models import Unit, UnitGroup, User
from contest.models.audit import record

EXTENSIONS = (".xlsx", ".csv")


class ImportRefused(Refused):
    code, status = "units_import_refused", 422
    message = _l("Nothing was imported: the file has problems. Fix them and upload it again.")


@dataclass(frozen=True)
class UnitChange:
    row: UnitRow
    unit: Unit | None  # None: a new unit
    changes: dict[str, list] = field(default_factory=dict)  # {name: [before, after]}


@dataclass(frozen=True)
class ImportPlan:
    """What the file would do: groups to create or rename, units to create or update."""

    new_groups: dict[str, str]  # code: name
    renamed_groups: dict[str, list[str]]  # code: [before, after]
    units: list[UnitChange]
    problems: list[RowProblem]

    @property
    def new_units(self) -> list[UnitChange]:
        return [change for change in self.units if change.unit is None]

    @property
    def updated_units(self) -> list[UnitChange]:
        return [change for change in self.units if change.unit is not None and change.changes]

    @property
    def unchanged(self) -> int:
        return sum(1 for change in self.units if change.unit is not None and not change.changes)


def readable_name(name: str | None) -> bool:
    return bool(name) and PurePath(name).suffix.lower() in EXTENSIONS


def plan_import(stream: BinaryIO, file_name: str) -> ImportPlan:
    """Read the file and compare it with the units there: every problem, with its row."""
    if not readable_name(file_name):
        extension = PurePath(file_name).suffix or file_name
        problem = RowProblem(Location(file_name), "unknown_format", {"extension": extension})
        return ImportPlan({}, {}, [], [problem])
    read = read_units(table_rows(stream, file_name, UNITS_SHEET), file_name)
    problems = list(read.problems)
    groups = {group.code: group for group in db.session.scalars(select(UnitGroup))}
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))}
    new_groups: dict[str, str] = {}
    renamed: dict[str, list[str]] = {}
    changes: list[UnitChange] = []
    for row in read.rows:
        group = groups.get(row.group_code)
        if group is None and row.group_name is None and row.group_code not in new_groups:
            problems.append(RowProblem(row.location, "unknown_group", {"group": row.group_code}))
            continue
        if group is None:
            new_groups.setdefault(row.group_code, row.group_name)
        elif row.group_name is not None and row.group_name != group.name:
            renamed[group.code] = [group.name, row.group_name]
        unit = units.get(row.code)
        if unit is not None and unit.merged_into_id is not None:
            params = {"code": row.code, "name": unit.merged_into.name}
            problems.append(RowProblem(row.location, "merged_unit", params))
            continue
        if unit is None:
            changes.append(UnitChange(row, None))
            continue
        differences = {}
        for name, before, after in (
            ("name", unit.name, row.name),
            ("group", unit.group.code, row.group_code),
            ("headcount", unit.headcount, row.headcount),
        ):
            if before != after:
                differences[name] = [before, after]
        changes.append(UnitChange(row, unit, differences))
    return ImportPlan(new_groups, renamed, changes, problems)


def import_units(stream: BinaryIO, file_name: str, actor: User, now: datetime) -> ImportPlan:
    """Apply a clean file whole (a file with any problem changes nothing); logged."""
    plan = plan_import(stream, file_name)
    if plan.problems:
        raise ImportRefused()
    groups = {group.code: group for group in db.session.scalars(select(UnitGroup))}
    last_group = db.session.scalar(select(func.max(UnitGroup.position))) or 0
    for n, (code, name) in enumerate(plan.new_groups.items(), 1):
        groups[code] = UnitGroup(code=code, name=name, position=last_group + n)
        db.session.add(groups[code])
    for code, (_, name) in plan.renamed_groups.items():
        groups[code].name = name
    db.session.flush()
    positions = dict(
        db.session.execute(
            select(Unit.group_id, func.max(Unit.position)).group_by(Unit.group_id)
        ).all()
    )

    def next_position(group: UnitGroup) -> int:
        positions[group.id] = (positions.get(group.id) or 0) + 1
        return positions[group.id]

    for change in plan.units:
        row, group = change.row, groups[change.row.group_code]
        if change.unit is None:
            unit = Unit(code=row.code, name=row.name, headcount=row.headcount)
            unit.group, unit.position = group, next_position(group)
            db.session.add(unit)
        elif change.changes:
            unit = change.unit
            unit.name, unit.headcount = row.name, row.headcount
            if unit.group is not group:
                unit.group, unit.position = group, next_position(group)
    record(
        "units_imported",
        actor,
        None,
        "units",
        now,
        file=file_name,
        groups_created=sorted(plan.new_groups),
        groups_renamed=sorted(plan.renamed_groups),
        units_created=[change.row.code for change in plan.new_units],
        units_updated=[change.row.code for change in plan.updated_units],
    )
    db.session.flush()
    return plan
