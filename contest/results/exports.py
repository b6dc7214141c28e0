"""The results as spreadsheets (XLSX, and CSV for other tools), for the People's Committee."""

import codecs
import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import BinaryIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import select

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

MONEY_FORMAT = "#,##0"
CSV_CHUNK_ROWS = 1000


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


def individual_sheet(lines: Iterable) -> Sheet:
    """The whole individual ranking, each participant's best round (lines as the live or the
    frozen ranking give them)."""

    def rows() -> Iterator[list]:
        for line in lines:
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

    return Sheet(_("PAR Index bonus"), [_("Code"), _("Unit"), _("Prizes")], rows())


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

    return Sheet(_("Videos"), header, rows())


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
    rows = [[_("Results"), status], [_("Exported on"), format_local_datetime(now)]]
    return Sheet(_("About"), [_("Contest"), contest.name], rows)


def write_xlsx(sheets: Iterable[Sheet], stream: BinaryIO) -> None:
    """One worksheet per sheet, rows streamed (write-only); amounts as numbers with separators.

    Every row, the header too, goes through xlsx_row: a typed name never becomes a formula."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name[:31])
        worksheet.append(xlsx_row(worksheet, sheet.header))
        money = len(sheet.header) - 1 if sheet.header[-1] == _("Amount (VND)") else None
        for row in sheet.rows:
            cells = xlsx_row(worksheet, row)
            if money is not None and isinstance(cells[money], int | Decimal):
                cells[money] = _money_cell(worksheet, cells[money])
            worksheet.append(cells)
    workbook.save(stream)


def _money_cell(worksheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    cell.number_format = MONEY_FORMAT
    return cell


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The sheet as CSV in UTF-8 with a byte-order mark, which Excel needs for Vietnamese,
    a chunk of rows at a time as they come (a download starts before the last row is read)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(csv_row(sheet.header))  # the header too: a criterion may be named '=...'
    yield codecs.BOM_UTF8
    for count, row in enumerate(sheet.rows, 1):
        writer.writerow(csv_row(row))
        if count % CSV_CHUNK_ROWS == 0:
            yield _drained(text)
    yield _drained(text)


def _drained(text: io.StringIO) -> bytes:
    chunk = text.getvalue().encode()
    text.seek(0)
    text.truncate()
    return chunk
