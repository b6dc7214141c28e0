"""Reading an accounts file (CSV) that organizers import: one participant, judge or admin a row.

Columns (header row, any order, case-insensitive): full_name, phone, unit_code, and optionally
position, email, username, roles (participant, unit_admin, judge, organizer; separated by
"|", "," inside quotes, or spaces; participant when empty) and password (generated when empty).
UTF-8 with or without BOM; comma or semicolon separated.
"""

import csv
import io
import re
from dataclasses import dataclass

from contest.domain.text import clean_text, normalize_phone

REQUIRED_COLUMNS = ("full_name", "phone", "unit_code")
OPTIONAL_COLUMNS = ("position", "email", "username", "roles", "password")
ROLES = ("participant", "unit_admin", "judge", "organizer")
MIN_PASSWORD_LENGTH = 6

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")


@dataclass(frozen=True)
class AccountRow:
    """A valid row: who to create."""

    line: int
    full_name: str
    phone: str
    unit_code: str
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
    """Parse and check every row; a file with any problem must not be imported as it is."""
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
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        problems = tuple(RowProblem(1, column, "missing_column") for column in missing)
        return AccountsFile((), problems)
    reader.fieldnames = header
    rows: list[AccountRow] = []
    problems: list[RowProblem] = []
    unit_codes: list[tuple[int, str]] = []
    seen: dict[str, dict[str, int]] = {"phone": {}, "username": {}}
    for record in reader:
        line = reader.line_num
        if unit_code := clean_text(record.get("unit_code")).upper():
            unit_codes.append((line, unit_code))
        row, row_problems = _check_row(line, record, seen)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(RowProblem(1, None, "no_rows"))
    return AccountsFile(tuple(rows), tuple(problems), tuple(unit_codes))


def _check_row(
    line: int, record: dict, seen: dict[str, dict[str, int]]
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
    if phone is None:
        problems.append(RowProblem(line, "phone", "bad_phone", value["phone"]))
    elif phone in seen["phone"]:
        problems.append(RowProblem(line, "phone", "duplicate_phone", value["phone"]))
    else:
        seen["phone"][phone] = line
    if not value["unit_code"]:
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
        unit_code=value["unit_code"].upper(),
        position=value["position"] or None,
        email=value["email"] or None,
        username=username,
        roles=roles,
        password=password,
    )
    return row, []
