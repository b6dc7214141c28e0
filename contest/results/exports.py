"""The results as spreadsheets (XLSX, and CSV for other tools), for the People's Committee."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import select

from contest.domain.prizes import CATEGORIES, INDIVIDUAL, UNIT, VIDEO, par_bonus_units
from contest.extensions import db
from contest.i18n import format_local_datetime
from contest.models import Contest, Unit, User
from contest.results.services import individual_leaderboard
from contest.results.standings import Standings

MONEY_FORMAT = "#,##0"
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Sheet:
    """A titled table: the header, then rows produced as they are written."""

    name: str
    header: list[str]
    rows: Iterable[list]


def category_names() -> dict[str, str]:
    return {UNIT: _("Collective"), VIDEO: _("Video"), INDIVIDUAL: _("Individual")}


def prize_sheet(standings: Standings, labels: dict[str, dict[int, str]]) -> Sheet:
    """Every prize awarded, by category, with its amount; the total last."""
    names = category_names()

    def rows() -> Iterator[list]:
        for category in CATEGORIES:
            for award in standings.prizes.awards:
                if award.category == category:
                    winner = labels[category].get(award.entry_id, str(award.entry_id))
                    yield [names[category], award.tier_name, award.rank, winner, award.amount]
        yield [_("Total"), "", "", "", standings.prizes.total_amount]

    return Sheet(
        _("Prizes"), [_("Category"), _("Prize"), _("Rank"), _("Winner"), _("Amount (VND)")], rows()
    )


def unit_sheet(standings: Standings, labels: dict[str, dict[int, str]]) -> Sheet:
    """The unit ranking with each component's value, weight and points beside the total."""
    header = [_("Rank"), _("Unit"), _("Participants"), _("Headcount")]
    weight, points = _("weight"), _("points")
    for component in (_("Participation"), _("Accuracy"), _("Best video")):
        header += [f"{component} (%)", f"{component}: {weight}", f"{component}: {points}"]
    header.append(_("Total"))

    def rows() -> Iterator[list]:
        for line in standings.units:
            row = [line.rank, labels[UNIT].get(line.unit_id, ""), line.participants]
            row.append(int(line.participation.denominator))
            for part in (line.participation, line.accuracy, line.video):
                row += [float(part.value * 100), part.weight, float(part.points)]
            row.append(float(line.total))
            yield row

    return Sheet(_("Units"), header, rows())


def individual_sheet(contest: Contest) -> Sheet:
    """The whole individual ranking, each participant's best round."""

    def rows() -> Iterator[list]:
        for line in individual_leaderboard(contest, limit=None):
            yield [
                line.rank,
                line.full_name,
                line.unit_name or "",
                line.correct_count,
                line.duration_ms / 1000,
                format_local_datetime(line.finished_at),
            ]

    header = [_("Rank"), _("Full name"), _("Unit"), _("Correct"), _("Seconds"), _("Finished")]
    return Sheet(_("Individuals"), header, rows())


def par_bonus_sheet(standings: Standings) -> Sheet:
    """Units earning PAR Index bonus points: a collective prize, or a member's prize."""
    members = {award.entry_id for award in standings.prizes.awards if award.category == INDIVIDUAL}
    participant_units = dict(
        db.session.execute(select(User.id, User.unit_id).where(User.id.in_(members))).all()
    )
    units = {unit.id: unit for unit in db.session.scalars(select(Unit))}

    def rows() -> Iterator[list]:
        for bonus in par_bonus_units(standings.prizes.awards, participant_units):
            unit = units.get(bonus.unit_id)
            reasons = "; ".join(
                f"{category_names()[award.category]}: {award.tier_name}" for award in bonus.awards
            )
            yield [unit.code if unit else "", unit.name if unit else "", reasons]

    return Sheet(_("PAR Index bonus"), [_("Code"), _("Unit"), _("Prizes")], rows())


def write_xlsx(sheets: Iterable[Sheet], stream: BinaryIO) -> None:
    """One worksheet per sheet, rows streamed (write-only); amounts as numbers with separators."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name[:31])
        worksheet.append(sheet.header)
        money = len(sheet.header) - 1 if sheet.header[-1] == _("Amount (VND)") else None
        for row in sheet.rows:
            worksheet.append([_cell(worksheet, value, n == money) for n, value in enumerate(row)])
    workbook.save(stream)


def _cell(worksheet, value, is_money: bool):
    if not is_money and not (isinstance(value, str) and value.startswith("=")):
        return value
    cell = WriteOnlyCell(worksheet, value=value)
    if is_money:
        cell.number_format = MONEY_FORMAT
    else:
        cell.data_type = "s"  # a name starting with '=' stays a name, not a formula
    return cell


def write_csv(sheet: Sheet, stream: BinaryIO) -> None:
    """The sheet as CSV in UTF-8 with a byte-order mark, which Excel needs for Vietnamese."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(sheet.header)
    for row in sheet.rows:
        # A cell starting with = + - @ would run as a formula in Excel: quote it as text.
        writer.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in FORMULA_STARTS else v for v in row]
        )
    text.flush()
    text.detach()


def _csv_value(value):
    """A text starting with = + - @ would run as a formula in Excel: quote it as text."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
