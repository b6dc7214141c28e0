"""The results as spreadsheets (XLSX, and CSV for other tools), for the People's Committee.

Rows carry typed values (numbers, amounts in đồng, aware datetimes); each writer formats them.
The XLSX opens ready to work in: a bold, frozen header with filters, columns wide enough,
dates as date cells in the contest's time zone, amounts as numbers shown in đồng. The CSV comes
in two variants: one for Excel on a Vietnamese Windows (";" between fields, a decimal comma,
which is what that Excel expects), and one with commas and decimal points for other tools.
"""

import codecs
import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from itertools import islice
from typing import BinaryIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from contest.clock import local_zone
from contest.domain.cells import csv_row, xlsx_row
from contest.domain.prizes import CATEGORIES, INDIVIDUAL, UNIT, VIDEO, par_bonus_units
from contest.extensions import db
from contest.i18n import format_local_datetime, format_points
from contest.models import (
    ENTERED_STATES,
    Contest,
    ResultsSnapshot,
    Score,
    ScoreItem,
    ScoreState,
    Unit,
    User,
    Video,
    VideoState,
)
from contest.results import workflow
from contest.results.services import frozen_individual_ranking, individual_ranking
from contest.results.standings import Standings, compute_standings, entry_labels
from contest.videos.forms import FORM_LABELS

# Number formats: Excel shows "," and "." with the reader's own separators (10.000.000 đ and
# 35,5 on a Vietnamese Windows).
MONEY_FORMAT = '#,##0 "đ"'
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DECIMAL_FORMAT = "0.00"
SECONDS_FORMAT = "0.000"
MONEY, DATETIME, DECIMAL, SECONDS = "money", "datetime", "decimal", "seconds"
CELL_FORMATS = {
    MONEY: MONEY_FORMAT,
    DATETIME: DATETIME_FORMAT,
    DECIMAL: DECIMAL_FORMAT,
    SECONDS: SECONDS_FORMAT,
}
# Widths in characters: a header's own length, at least this by kind, at most WIDEST.
KIND_WIDTHS = {MONEY: 16, DATETIME: 17, DECIMAL: 11, SECONDS: 11}
NARROWEST, WIDEST = 8, 45
CSV_CHUNK_ROWS = 1000
CONTACT_BATCH = 1000  # participants whose phone and position are read at a time

# The CSV variants: for Excel on a Vietnamese Windows, and for everything else.
EXCEL_VI, PLAIN = "excel-vi", "plain"
CSV_VARIANTS = (EXCEL_VI, PLAIN)


@dataclass(frozen=True)
class Sheet:
    """A titled table: the header, then rows produced as they are written.

    `kinds` says what a column holds when it needs a cell format (column index → MONEY,
    DATETIME, DECIMAL or SECONDS); `widths` gives a column's width when its values are
    longer than its header (names, titles)."""

    name: str
    header: list[str]
    rows: Iterable[list]
    kinds: dict[int, str] = field(default_factory=dict)
    widths: dict[int, int] = field(default_factory=dict)

    def width(self, column: int) -> int:
        """The column's width in characters, guessed before any row is read (rows stream)."""
        guess = max(
            len(str(self.header[column])) + 3,
            KIND_WIDTHS.get(self.kinds.get(column), NARROWEST),
            self.widths.get(column, 0),
        )
        return min(guess, WIDEST)


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

    header = [_("Category"), _("Prize"), _("Rank"), _("Winner"), _("Amount (VND)")]
    return Sheet(_("Prizes"), header, rows(), kinds={4: MONEY}, widths={1: 22, 3: 40})


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

    return Sheet(
        _("Units"),
        header,
        rows(),
        kinds=dict.fromkeys(range(4, len(header)), DECIMAL),
        widths={1: 40},
    )


def individual_sheet(lines: Iterable) -> Sheet:
    """The whole individual ranking, each participant's best round (lines as the live or the
    frozen ranking give them), with what the organizers need to reach and pay a winner: the
    unit's code, the phone and the position (organizers alone export it)."""

    def rows() -> Iterator[list]:
        codes_by_id, codes_by_name = _unit_codes()
        for batch in _batches(iter(lines), CONTACT_BATCH):
            contacts = _contacts({line.participant_id for line in batch})
            for line in batch:
                phone, position = contacts.get(line.participant_id, (None, None))
                unit_id = getattr(line, "unit_id", None)  # the frozen lines keep the name only
                code = codes_by_id.get(unit_id) or codes_by_name.get(line.unit_name)
                yield [
                    line.rank,
                    line.full_name,
                    code or "",
                    line.unit_name or "",
                    phone or "",
                    position or "",
                    line.correct_count,
                    line.duration_ms / 1000,
                    line.finished_at,
                ]

    header = [
        _("Rank"),
        _("Full name"),
        _("Unit code"),
        _("Unit"),
        _("Phone"),
        _("Position"),
        _("Correct"),
        _("Seconds"),
        _("Finished"),
    ]
    return Sheet(
        _("Individuals"),
        header,
        rows(),
        kinds={7: SECONDS, 8: DATETIME},
        widths={1: 28, 3: 40, 4: 14, 5: 28},
    )


def _batches(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(items, size)):
        yield batch


def _contacts(user_ids: set) -> dict[int, tuple[str | None, str | None]]:
    """Participant id → (phone, position), as the accounts hold them now."""
    rows = db.session.execute(
        select(User.id, User.phone, User.position).where(User.id.in_(user_ids - {None}))
    )
    return {user_id: (phone, position) for user_id, phone, position in rows}


def _unit_codes() -> tuple[dict[int, str], dict[str, str]]:
    """Unit codes by unit id, and by unit name (for the frozen lines, which keep the name)."""
    units = db.session.execute(select(Unit.id, Unit.name, Unit.code).order_by(Unit.id)).all()
    by_name: dict[str, str] = {}
    for unit in units:
        by_name.setdefault(unit.name, unit.code)
    return {unit.id: unit.code for unit in units}, by_name


def par_bonus_sheet(standings: Standings) -> Sheet:
    """Units earning PAR Index bonus points: a collective prize, or a member's prize (for the
    unit the participant belonged to when the prizes were computed)."""
    units = {unit.id: unit for unit in db.session.scalars(select(Unit))}

    def rows() -> Iterator[list]:
        for bonus in par_bonus_units(standings.prizes.awards):
            unit = units.get(bonus.unit_id)
            reasons = "; ".join(
                f"{category_names()[award.category]}: {award.tier_name}" for award in bonus.awards
            )
            yield [unit.code if unit else "", unit.name if unit else "", reasons]

    header = [_("Code"), _("Unit"), _("Prizes")]
    return Sheet(_("PAR Index bonus"), header, rows(), widths={1: 40, 2: 45})


def video_sheet(contest: Contest, standings: Standings) -> Sheet:
    """Every video still in the contest with each judge's points per criterion and total.

    One row per (video, judge who submitted a sheet), the video's rank, unit, title, form and
    aggregate score repeated on each so the sheet sorts and filters; a video nobody scored has
    one row with the judge's columns empty. Videos in ranking order, unscored ones last (by
    unit code); a video's judges by name.
    """
    criteria = list(contest.rubric)
    header = [_("Rank"), _("Code"), _("Unit"), _("Title"), _("Form"), _("Video score"), _("Judge")]
    header += [
        _("%(criterion)s (out of %(max)s)", criterion=c.name, max=format_points(c.max_points))
        for c in criteria
    ]
    header.append(_("Judge's total"))

    def rows() -> Iterator[list]:
        videos = {row.id: row for row in _contest_videos(contest)}
        sheets, points = _submitted_sheets(contest)
        ranked = [
            (line.rank, line.score, line.video_id)
            for line in standings.videos
            if line.video_id in videos
        ]
        listed = {video_id for _rank, _score, video_id in ranked}
        unscored = [(None, None, video_id) for video_id in videos if video_id not in listed]
        for rank, score, video_id in ranked + unscored:
            video = videos[video_id]
            form = str(FORM_LABELS[video.form])
            first = [rank, video.code, video.name, video.title, form, _number(score)]
            if video_id not in sheets:
                yield first + [None] * (len(criteria) + 2)
            for sheet in sheets.get(video_id, ()):
                given = points.get(sheet.id, {})
                marks = [_number(given.get(criterion.id)) for criterion in criteria]
                yield [*first, sheet.full_name, *marks, _number(sheet.total)]

    first_points = len(header) - len(criteria) - 1
    return Sheet(
        _("Videos"),
        header,
        rows(),
        kinds={5: DECIMAL} | dict.fromkeys(range(first_points, len(header)), DECIMAL),
        widths={2: 36, 3: 36, 4: 14, 6: 24},
    )


def _contest_videos(contest: Contest) -> list:
    """The videos still in the contest with their unit, by unit code then id."""
    return db.session.execute(
        select(Video.id, Video.title, Video.form, Unit.code, Unit.name)
        .join(Unit, Unit.id == Video.unit_id)
        .where(Video.contest_id == contest.id, Video.state.in_(ENTERED_STATES))
        .order_by(Unit.code, Video.id)
    ).all()


def _submitted_sheets(contest: Contest) -> tuple[dict[int, list], dict[int, dict[int, Decimal]]]:
    """The submitted score sheets the video ranking counts, by video, and their points.

    The same sheets as video_entries: a ready video's submitted sheets with a total.
    """
    counted = (
        Video.contest_id == contest.id,
        Video.state == VideoState.READY,
        Score.state == ScoreState.SUBMITTED,
        Score.total.is_not(None),
    )
    sheets: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(Score.id, Score.video_id, Score.total, User.full_name)
        .join(Video, Video.id == Score.video_id)
        .join(User, User.id == Score.judge_id)
        .where(*counted)
        .order_by(User.full_name, User.id)
    ):
        sheets[row.video_id].append(row)
    points: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for score_id, criterion_id, value in db.session.execute(
        select(ScoreItem.score_id, ScoreItem.criterion_id, ScoreItem.points)
        .join(Score, Score.id == ScoreItem.score_id)
        .join(Video, Video.id == Score.video_id)
        .where(*counted)
    ):
        points[score_id][criterion_id] = value
    return sheets, points


def _number(value: Decimal | None) -> int | float | None:
    """Points as a spreadsheet number: 40, 35.5 (empty when missing)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


EXPORTS = ("prizes", "units", "videos", "individuals", "par-bonus")


@dataclass(frozen=True)
class Export:
    """The sheets asked for, read from the approved snapshot while one stands (what is handed
    over matches what is published), else from the live data."""

    sheets: list[Sheet]
    snapshot: ResultsSnapshot | None

    @property
    def is_provisional(self) -> bool:
        return self.snapshot is None


def results_export(contest: Contest, names: Iterable[str]) -> Export:
    """Sheets `names` (of EXPORTS) of the contest's results."""
    snapshot = workflow.current_snapshot(contest)
    if snapshot is None:
        standings = compute_standings(contest)
        labels = entry_labels(standings)
        individuals = partial(individual_ranking, contest)
    else:
        standings, labels = workflow.frozen_standings(snapshot)
        individuals = partial(frozen_individual_ranking, snapshot.id)
    builders = {
        "prizes": lambda: prize_sheet(standings, labels),
        "units": lambda: unit_sheet(standings, labels),
        "videos": lambda: video_sheet(contest, standings),
        "individuals": lambda: individual_sheet(individuals()),
        "par-bonus": lambda: par_bonus_sheet(standings),
    }
    return Export([builders[name]() for name in names], snapshot)


def about_sheet(contest: Contest, export: Export, now: datetime) -> Sheet:
    """What the workbook holds: the contest, whether the results are approved, when exported."""
    if export.is_provisional:
        status = _("Provisional: computed from the data as they are now, not yet approved.")
    else:
        status = _(
            "Approved on %(at)s (snapshot %(id)s).",
            at=format_local_datetime(export.snapshot.approved_at),
            id=export.snapshot.id,
        )
    rows = [[_("Results"), status], [_("Exported on"), now]]
    return Sheet(_("About"), [_("Contest"), contest.name], rows, widths={0: 16, 1: 60})


def write_xlsx(sheets: Iterable[Sheet], stream: BinaryIO) -> None:
    """One worksheet per sheet, rows streamed (write-only) under a bold, frozen header with
    filters; amounts, dates and decimals as typed cells (see CELL_FORMATS).

    Every row, the header too, goes through xlsx_row: a typed name never becomes a formula."""
    workbook = Workbook(write_only=True)
    bold, shade = Font(bold=True), PatternFill("solid", fgColor="DDE6F2")
    wrapped = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name[:31])
        # Before the first row: a write-only sheet writes its views and columns with it.
        worksheet.freeze_panes = "A2"
        for column in range(len(sheet.header)):
            letter = get_column_letter(column + 1)
            worksheet.column_dimensions[letter].width = sheet.width(column)
        header = xlsx_row(worksheet, sheet.header)
        worksheet.append([_styled(worksheet, title, bold, shade, wrapped) for title in header])
        formats = {column: CELL_FORMATS[kind] for column, kind in sheet.kinds.items()}
        rows_written = 0
        for row in sheet.rows:
            cells = xlsx_row(worksheet, row)
            for column, value in enumerate(cells):
                if isinstance(value, datetime):
                    cells[column] = _formatted(worksheet, _local(value), DATETIME_FORMAT)
                elif column in formats and isinstance(value, int | float | Decimal):
                    cells[column] = _formatted(worksheet, value, formats[column])
            worksheet.append(cells)
            rows_written += 1
        last = get_column_letter(len(sheet.header))
        worksheet.auto_filter.ref = f"A1:{last}{rows_written + 1}"  # written when the sheet closes
    workbook.save(stream)


def _local(moment: datetime) -> datetime:
    """A stored UTC moment as the contest's wall-clock time: Excel cells have no time zone."""
    return moment.astimezone(local_zone()).replace(tzinfo=None)


def _styled(worksheet, value, font: Font, fill: PatternFill, alignment: Alignment):
    cell = value if isinstance(value, Cell) else WriteOnlyCell(worksheet, value=value)
    cell.font, cell.fill, cell.alignment = font, fill, alignment
    return cell


def _formatted(worksheet, value, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    cell.number_format = number_format
    return cell


def csv_chunks(sheet: Sheet, variant: str = EXCEL_VI) -> Iterator[bytes]:
    """The sheet as CSV in UTF-8 with a byte-order mark, which Excel needs for Vietnamese,
    a chunk of rows at a time as they come (a download starts before the last row is read).

    EXCEL_VI separates fields with ";" and writes decimals with a comma, as Excel on a
    Vietnamese Windows reads them; PLAIN uses "," and a decimal point. Dates are dd/mm/yyyy
    HH:MM in the contest's time zone in both."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";" if variant == EXCEL_VI else ",")
    decimal_comma = variant == EXCEL_VI
    writer.writerow(csv_row(sheet.header))  # the header too: a criterion may be named '=...'
    yield codecs.BOM_UTF8
    for count, row in enumerate(sheet.rows, 1):
        writer.writerow(csv_row([_csv_value(value, decimal_comma) for value in row]))
        if count % CSV_CHUNK_ROWS == 0:
            yield _drained(text)
    yield _drained(text)


def _csv_value(value, decimal_comma: bool):
    """A typed value as CSV text: dates in local time, decimals with the variant's mark."""
    if isinstance(value, datetime):
        return format_local_datetime(value)
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        text = text.removesuffix(".0")
        return text.replace(".", ",") if decimal_comma else text
    return value


def _drained(text: io.StringIO) -> bytes:
    chunk = text.getvalue().encode()
    text.seek(0)
    text.truncate()
    return chunk
