"""Reading an accounts file that organizers import: one participant, judge or admin a row.

Columns (header row, any order, case-insensitive): full_name, unit_code, a phone or a username
(one of them is the login; a row may leave its phone empty when it gives a username), and
optionally position, email, roles (participant, unit_admin, judge, organizer; separated by
"|", "," inside quotes, or spaces; participant when empty) and password (generated when empty).
CSV: UTF-8 with or without BOM; comma or semicolon separated. XLSX: the first sheet, the same
header row; a phone typed as a number (Excel drops its leading 0) is read back with the 0.

`check_account` is the same check for one account typed on a page or in a command, where the
unit (for organizers and judges) may be left out too.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from contest.domain.text import clean_text, normalize_phone

REQUIRED_COLUMNS = ("full_name", "unit_code")
LOGIN_COLUMNS = ("phone", "username")  # at least one of them
OPTIONAL_COLUMNS = ("phone", "position", "email", "username", "roles", "password")
ROLES = ("participant", "unit_admin", "judge", "organizer")
MIN_PASSWORD_LENGTH = 6

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")


@dataclass(frozen=True)
class AccountRow:
    """A valid row: who to create."""

    line: int
    full_name: str
    phone: str | None  # None when the username is the login
    unit_code: str | None
    position: str | None
    email: str | None
    username: str | None
    roles: tuple[str, ...]
    password: str | None


@dataclass(frozen=True)
class RowProblem:
    """What is wrong, where: `code` is stable, `value` the offending text (for the message)."""

    line: int
    column: str | None
    code: str
    value: str = ""


@dataclass(frozen=True)
class AccountsFile:
    rows: tuple[AccountRow, ...]
    problems: tuple[RowProblem, ...]
    # (line, code) of every row naming a unit, valid or not: the importer checks them all.
    unit_codes: tuple[tuple[int, str], ...] = ()


def read_accounts_file(content: bytes) -> AccountsFile:
    """Parse and check every row of a CSV file; a file with any problem must not be imported."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return AccountsFile((), (RowProblem(1, None, "not_utf8"),))
    if not text.strip():
        return AccountsFile((), (RowProblem(1, None, "empty_file"),))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header
    return _read_records(header, ((reader.line_num, record) for record in reader))


def read_accounts_workbook(content: bytes) -> AccountsFile:
    """Parse and check every row of an XLSX workbook's first sheet (lines: Excel's row numbers)."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        return AccountsFile((), (RowProblem(1, None, "unreadable_xlsx"),))
    try:
        rows = (
            [
                (number, [_cell_text(value) for value in row])
                for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), 1)
                if any(value not in (None, "") for value in row)
            ]
            if workbook.worksheets
            else []
        )
    finally:
        workbook.close()
    if not rows:
        return AccountsFile((), (RowProblem(1, None, "empty_file"),))
    (_, header_cells), *body = rows
    header = [cell.strip().lower() for cell in header_cells]
    records = (
        (number, {name: cell for name, cell in zip(header, cells, strict=False) if name})
        for number, cells in body
    )
    return _read_records(header, records, phone_cells=True)


def read_accounts_upload(content: bytes, file_name: str) -> AccountsFile:
    """An uploaded accounts file, read by its extension: .xlsx a workbook, anything else CSV."""
    if file_name.lower().endswith(".xlsx"):
        return read_accounts_workbook(content)
    return read_accounts_file(content)


def _cell_text(value) -> str:
    """A cell as text: whole numbers without ".0" (a phone typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _read_records(
    header: list[str], records: Iterable[tuple[int, dict]], phone_cells: bool = False
) -> AccountsFile:
    missing = [RowProblem(1, column, "missing_column") for column in REQUIRED_COLUMNS]
    missing = [problem for problem in missing if problem.column not in header]
    if not any(column in header for column in LOGIN_COLUMNS):
        missing.append(RowProblem(1, "phone", "no_login_column"))
    if missing:
        return AccountsFile((), tuple(missing))
    rows: list[AccountRow] = []
    problems: list[RowProblem] = []
    unit_codes: list[tuple[int, str]] = []
    seen: dict[str, dict[str, int]] = {"phone": {}, "username": {}}
    for line, record in records:
        if phone_cells and (phone := str(record.get("phone") or "")).isdigit():
            # Excel shows 0912345678 typed in a number cell as 912345678.
            record["phone"] = phone if phone.startswith(("0", "84")) else "0" + phone
        if unit_code := clean_text(record.get("unit_code")).upper():
            unit_codes.append((line, unit_code))
        row, row_problems = _check_row(line, record, seen)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(RowProblem(1, None, "no_rows"))
    return AccountsFile(tuple(rows), tuple(problems), tuple(unit_codes))


def check_account(
    record: dict, *, unit_required: bool = True
) -> tuple[AccountRow | None, list[RowProblem]]:
    """One account's values checked as a file's row is (line 1); the unit code is not looked up.

    Without `unit_required` the unit may be left empty.
    """
    seen: dict[str, dict[str, int]] = {"phone": {}, "username": {}}
    return _check_row(1, record, seen, unit_required=unit_required)


def _check_row(
    line: int, record: dict, seen: dict[str, dict[str, int]], unit_required: bool = True
) -> tuple[AccountRow | None, list[RowProblem]]:
    value = {
        column: clean_text(record.get(column)) for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    }
    if not any(value.values()):
        return None, []  # a blank line
    problems = []
    if len(value["full_name"]) < 2 or len(value["full_name"]) > 120:
        problems.append(RowProblem(line, "full_name", "bad_full_name", value["full_name"]))
    phone = normalize_phone(value["phone"])
    if not value["phone"]:
        # The same rule on the page, in the command and in a file: a phone or a username.
        if not value["username"]:
            problems.append(RowProblem(line, "phone", "no_login"))
    elif phone is None:
        problems.append(RowProblem(line, "phone", "bad_phone", value["phone"]))
    elif phone in seen["phone"]:
        problems.append(RowProblem(line, "phone", "duplicate_phone", value["phone"]))
    else:
        seen["phone"][phone] = line
    if not value["unit_code"] and unit_required:
        problems.append(RowProblem(line, "unit_code", "missing_unit"))
    if value["email"] and not _EMAIL.fullmatch(value["email"]):
        problems.append(RowProblem(line, "email", "bad_email", value["email"]))
    username = value["username"].lower() or None
    if username is not None:
        if not _USERNAME.fullmatch(username):
            problems.append(RowProblem(line, "username", "bad_username", value["username"]))
        elif username in seen["username"]:
            problems.append(RowProblem(line, "username", "duplicate_username", username))
        else:
            seen["username"][username] = line
    named = [role for role in re.split(r"[|,\s]+", value["roles"].lower()) if role]
    roles = tuple(dict.fromkeys(named or ["participant"]))
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        problems.append(RowProblem(line, "roles", "unknown_role", ", ".join(unknown)))
    password = (record.get("password") or "").strip() or None
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        problems.append(RowProblem(line, "password", "short_password"))
    if problems:
        return None, problems
    row = AccountRow(
        line=line,
        full_name=value["full_name"],
        phone=phone,
        unit_code=value["unit_code"].upper() or None,
        position=value["position"] or None,
        email=value["email"] or None,
        username=username,
        roles=roles,
        password=password,
    )
    return row, []
