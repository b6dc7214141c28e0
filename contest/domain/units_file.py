"""Units and their groups as organizers type them: codes, and the rows of an import file.

One unit a row under a header row: group code, group name, unit code, unit name, headcount
(Mã nhóm, Tên nhóm, Mã đơn vị, Tên đơn vị, Biên chế). Headers are matched loosely, Vietnamese
or English, with or without diacritics. Plain Python: the importer checks the rows against
the database (contest.units.importing).
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from contest.domain.question_files.records import Location, Problem
from contest.domain.question_files.tabular import cell_text, folded_header
from contest.domain.text import clean_text

CODE_LENGTH = 32
NAME_LENGTH = 200
MAX_HEADCOUNT = 1_000_000
_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,31}")

UNITS_SHEET = "Đơn vị"
INSTRUCTIONS_SHEET = "Hướng dẫn"
HEADERS = {
    "group_code": "Mã nhóm",
    "group_name": "Tên nhóm",
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "headcount": "Biên chế",
}
REQUIRED_COLUMNS = ("group_code", "code", "name", "headcount")
_ALIASES = {
    "group_code": ("ma nhom", "group code", "group_code"),
    "group_name": ("ten nhom", "nhom", "group name", "group_name", "group"),
    "code": ("ma don vi", "ma", "unit code", "unit_code", "code"),
    "name": ("ten don vi", "don vi", "unit name", "unit_name", "name", "unit"),
    "headcount": ("bien che", "so bien che", "so luong bien che", "headcount", "staff"),
}
_COLUMN_OF_HEADER = {alias: column for column, names in _ALIASES.items() for alias in names}


def normalize_code(text: str | None) -> str | None:
    """A unit's or group's code as stored (upper case), or None when it is not one: 1 to 32
    letters A-Z, digits, '.', '_' or '-', starting with a letter or digit."""
    code = clean_text(text).upper()
    return code if _CODE.fullmatch(code) else None


def parse_headcount(value: object) -> int | None:
    """A headcount typed in a cell ('120', 120, 120.0, '1.200', '1 200'), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            return None
        number = int(value)
    else:
        text = clean_text(str(value or "")).replace(" ", "")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # Vietnamese thousands: 1.200
            text = text.replace(".", "")
        if not text.isdigit():
            return None
        number = int(text)
    return number if 0 <= number <= MAX_HEADCOUNT else None


@dataclass(frozen=True)
class UnitRow:
    """A valid row of a units file: a unit in its group."""

    location: Location
    group_code: str
    group_name: str | None
    code: str
    name: str
    headcount: int


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with a row (or the file), where; `code` has a message in the app."""

    location: Location
    code: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class UnitsFile:
    rows: tuple[UnitRow, ...]
    problems: tuple[RowProblem, ...]


def read_units(
    items: Iterable[tuple[Location, Sequence[object]] | Problem], file_name: str
) -> UnitsFile:
    """Check the rows a sheet reader gives (tabular.sheet_rows): header, then one unit a row.

    A unit code twice in the file, a group given two names, or a row without a usable code,
    name or headcount is a problem of its row; the file's own problems (unreadable, not UTF-8)
    come through as they are.
    """
    rows: list[UnitRow] = []
    problems: list[RowProblem] = []
    columns: dict[str, int] | None = None
    units_seen: dict[str, Location] = {}
    group_names: dict[str, tuple[str, Location]] = {}
    for item in items:
        if isinstance(item, Problem):
            problems.append(RowProblem(item.location, item.code.value, dict(item.params)))
            continue
        location, cells = item
        if columns is None:
            columns = _columns(cells)
            missing = [HEADERS[c] for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                found = ", ".join(cell_text(c) for c in cells if cell_text(c).strip()) or "—"
                expected = ", ".join(HEADERS[c] for c in REQUIRED_COLUMNS)
                problems.append(
                    RowProblem(location, "wrong_layout", {"expected": expected, "found": found})
                )
                return UnitsFile((), tuple(problems))
            continue
        row, row_problems = _check_row(location, cells, columns, units_seen, group_names)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if columns is None and not problems:
        problems.append(RowProblem(Location(file_name), "empty_file"))
    elif not rows and not problems:
        problems.append(RowProblem(Location(file_name), "no_units"))
    return UnitsFile(tuple(rows), tuple(problems))


def _columns(header: Sequence[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = _COLUMN_OF_HEADER.get(folded_header(cell))
        if column is not None:
            found.setdefault(column, index)
    return found


def _check_row(
    location: Location,
    cells: Sequence[object],
    columns: dict[str, int],
    units_seen: dict[str, Location],
    group_names: dict[str, tuple[str, Location]],
) -> tuple[UnitRow | None, list[RowProblem]]:
    def raw(column: str) -> object:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    def text(column: str) -> str:
        return clean_text(cell_text(raw(column)))

    problems = []
    group_code = normalize_code(text("group_code"))
    if group_code is None:
        problems.append(RowProblem(location, "bad_group_code", {"value": text("group_code")}))
    group_name = text("group_name") or None
    if group_name is not None and len(group_name) > NAME_LENGTH:
        problems.append(RowProblem(location, "group_name_too_long", {"limit": NAME_LENGTH}))
    elif group_code is not None and group_name is not None:
        first = group_names.setdefault(group_code, (group_name, location))
        if first[0] != group_name:
            params = {"group": group_code, "name": first[0], "first": first[1]}
            problems.append(RowProblem(location, "group_named_twice", params))
    code = normalize_code(text("code"))
    if code is None:
        problems.append(RowProblem(location, "bad_code", {"value": text("code")}))
    elif code in units_seen:
        problems.append(RowProblem(location, "duplicate_code", {"first": units_seen[code]}))
    else:
        units_seen[code] = location
    name = text("name")
    if not name:
        problems.append(RowProblem(location, "no_name"))
    elif len(name) > NAME_LENGTH:
        problems.append(RowProblem(location, "name_too_long", {"limit": NAME_LENGTH}))
    headcount = parse_headcount(raw("headcount"))
    if headcount is None:
        value = text("headcount")
        problems.append(RowProblem(location, "bad_headcount", {"value": value or "—"}))
    if problems:
        return None, problems
    return UnitRow(location, group_code, group_name, code, name, headcount), []


def write_template(stream: BinaryIO) -> None:
    """The template organizers download: the header row, example rows, instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = UNITS_SHEET
    sheet.append(list(HEADERS.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in template_rows():
        sheet.append(row)
    for letter, width in zip("ABCDE", (14, 44, 16, 50, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    for line in INSTRUCTIONS:
        instructions.append([line])
    instructions.column_dimensions["A"].width = 110
    for row in instructions.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(stream)


def template_rows() -> Iterator[list[object]]:
    """The template's example rows: the seed plan's first groups."""
    yield ["SO", "Cơ quan chuyên môn thuộc UBND tỉnh", "SNV", "Sở Nội vụ", 45]
    yield ["SO", "Cơ quan chuyên môn thuộc UBND tỉnh", "STP", "Sở Tư pháp", 38]
    yield ["HUYEN", "UBND các huyện, thị xã, thành phố", "UBND-TP", "UBND thành phố", 120]


INSTRUCTIONS = (
    "HƯỚNG DẪN NHẬP ĐƠN VỊ",
    f"Nhập mỗi đơn vị trên một dòng của trang «{UNITS_SHEET}», giữ nguyên dòng tiêu đề.",
    "Mã nhóm: mã của nhóm đơn vị (chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới;"
    " tối đa 32 ký tự), ví dụ SO, HUYEN.",
    "Tên nhóm: bắt buộc khi nhóm chưa có trên hệ thống; để trống thì giữ tên hiện có.",
    "Mã đơn vị: như mã nhóm; không trùng nhau trong tệp. Mã đã có: cập nhật tên, nhóm và"
    " biên chế của đơn vị đó; mã mới: tạo đơn vị mới.",
    "Tên đơn vị: tối đa 200 ký tự.",
    "Biên chế: số người của đơn vị (số nguyên, từ 0), dùng để tính tỷ lệ tham gia.",
    "Tệp có lỗi sẽ không được nhập dòng nào: sửa các lỗi được báo rồi tải lên lại.",
)
