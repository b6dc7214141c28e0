"""Accounts: finding, authenticating, registering and changing passwords."""

import functools
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from contest.domain.accounts_file import AccountsFile, RowProblem
from contest.domain.text import normalize_phone
from contest.extensions import db
from contest.models import Role, Unit, User


def login_key(login: str) -> str:
    """The canonical form of what was typed in the login field (for lookups and rate limits)."""
    login = (login or "").strip()
    return normalize_phone(login) or login.lower()


def find_by_login(login: str) -> User | None:
    """The account whose phone number or username is `login`."""
    key = login_key(login)
    if not key:
        return None
    return db.session.scalars(
        select(User).where(or_(User.phone == key, User.username == key))
    ).first()


@functools.cache
def _dummy_password_hash() -> str:
    """A hash made like the accounts' own, to check typed passwords against when no account
    has the login typed (made once per process)."""
    return generate_password_hash(secrets.token_hex(16))


def authenticate(login: str, password: str) -> User | None:
    """The active account matching these credentials, or None.

    The password is checked against a hash whether or not the account exists (a dummy hash
    for an unknown login) and whether or not it is active, so that the answer's timing does
    not tell which accounts exist.
    """
    user = find_by_login(login)
    if user is None:
        check_password_hash(_dummy_password_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.is_active:
        return None
    return user


class PhoneTaken(Exception):
    """An account already uses this phone number."""


def register_participant(
    full_name: str, phone: str, unit_id: int, position: str, email: str | None, password: str
) -> User:
    """Create a participant's account; one account per phone number."""
    phone_number = normalize_phone(phone)
    if phone_number is None:
        raise ValueError("not a phone number")
    if db.session.scalar(select(User.id).where(User.phone == phone_number)) is not None:
        raise PhoneTaken(phone_number)
    user = User(
        full_name=" ".join(full_name.split()),
        phone=phone_number,
        unit_id=unit_id,
        position=position.strip() or None,
        email=(email or "").strip() or None,
    )
    user.set_password(password)
    user.grant(Role.PARTICIPANT)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        # The same phone registered by a parallel request a moment ago.
        db.session.rollback()
        raise PhoneTaken(phone_number) from None
    return user


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Set a new password if the current one is right, ending every session of the user
    (the caller logs the current one in again); False when it is not right."""
    if not user.check_password(current_password):
        return False
    user.set_password(new_password)  # revokes the sessions
    db.session.flush()
    return True


def log_out(user) -> None:
    """Logging out ends every session of the user, on every device, remember-me included:
    a copy of this session's cookie must not outlive the logout."""
    if user.is_authenticated:
        user.revoke_sessions()
        db.session.flush()


ACCOUNT_PROBLEMS = {
    "not_utf8": _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
    "empty_file": _l("The file is empty."),
    "no_rows": _l("The file has a header but no accounts."),
    "missing_column": _l("The header lacks this column."),
    "bad_full_name": _l("The full name must have 2 to 120 characters."),
    "bad_phone": _l("Not a Vietnamese phone number."),
    "duplicate_phone": _l("This phone number is already on an earlier line."),
    "missing_unit": _l("The unit code is missing."),
    "unknown_unit": _l("No unit has this code."),
    "bad_email": _l("Not an email address."),
    "bad_username": _l("A username has 2 to 40 letters, digits, dots, dashes or underscores."),
    "duplicate_username": _l("This username is already on an earlier line."),
    "unknown_role": _l("Unknown role (use participant, unit_admin, judge, organizer)."),
    "short_password": _l("The password is shorter than 6 characters."),
    "phone_taken": _l("An account already uses this phone number."),
    "username_taken": _l("An account already uses this username."),
}

_READABLE_CHARACTERS = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read over the phone


@dataclass(frozen=True)
class CreatedAccount:
    line: int
    full_name: str
    phone: str
    username: str | None
    generated_password: str | None


@dataclass(frozen=True)
class AccountsImport:
    """All or nothing: either `created` or `problems` is empty."""

    created: tuple[CreatedAccount, ...]
    problems: tuple[RowProblem, ...]


def import_accounts(accounts: AccountsFile) -> AccountsImport:
    """Create every account of a checked file, or none when any row has a problem."""
    problems = list(accounts.problems)
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    phones = {row.phone for row in accounts.rows}
    usernames = {row.username for row in accounts.rows if row.username}
    taken_phones = set(db.session.scalars(select(User.phone).where(User.phone.in_(phones))))
    taken_usernames = set(
        db.session.scalars(select(User.username).where(User.username.in_(usernames)))
    )
    for line, unit_code in accounts.unit_codes:
        if unit_code not in units:
            problems.append(RowProblem(line, "unit_code", "unknown_unit", unit_code))
    for row in accounts.rows:
        if row.phone in taken_phones:
            problems.append(RowProblem(row.line, "phone", "phone_taken", row.phone))
        if row.username in taken_usernames:
            problems.append(RowProblem(row.line, "username", "username_taken", row.username))
    if problems:
        return AccountsImport((), tuple(sorted(problems, key=lambda p: p.line)))
    created = []
    for row in accounts.rows:
        generated = None if row.password else _new_password()
        user = User(
            full_name=row.full_name,
            phone=row.phone,
            username=row.username,
            unit_id=units[row.unit_code],
            position=row.position,
            email=row.email,
        )
        user.set_password(row.password or generated)
        for role in row.roles:
            user.grant(Role(role))
        db.session.add(user)
        created.append(CreatedAccount(row.line, row.full_name, row.phone, row.username, generated))
    db.session.flush()
    return AccountsImport(tuple(created), ())


def _new_password(length: int = 10) -> str:
    return "".join(secrets.choice(_READABLE_CHARACTERS) for _ in range(length))


def describe_problem(problem: RowProblem) -> str:
    """One line for people: where, what, and the value at fault."""
    if problem.column is None:
        where = _("line %(line)s", line=problem.line)
    else:
        where = _("line %(line)s, column %(column)s", line=problem.line, column=problem.column)
    text = f"{where}: {ACCOUNT_PROBLEMS[problem.code]}"
    return f"{text} ({problem.value})" if problem.value else text
