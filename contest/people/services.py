"""Accounts across every contest: search, create, import, edit, deactivate, reset passwords.

Every change is written to the audit log (site-wide: no contest) with the account as target
(`user:<id>`), so each account's page shows its own history.
"""

import io
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from contest.auth.services import AccountsImport, import_accounts, new_password
from contest.domain.accounts_file import AccountsFile, RowProblem, check_account
from contest.domain.text import normalize_phone, search_fold
from contest.errors import Refused
from contest.extensions import db
from contest.models import (
    GRADED_STATES,
    Attempt,
    AuditEntry,
    BestRound,
    CredentialHandoff,
    Role,
    Unit,
    User,
    UserRole,
)
from contest.models.audit import record

PAGE_SIZE = 50
# Roles whose accounts belong to a unit: a participant counts for it, an admin looks after it.
UNIT_ROLES = {Role.PARTICIPANT, Role.UNIT_ADMIN}
HANDOFF_KEEP = timedelta(hours=24)


class AccountRefused(Refused):
    code = "account_refused"
    status = 409


class AccountProblems(Exception):
    """The typed values break the accounts file's rules: the problems, by column."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = problems


# Searching


@dataclass(frozen=True)
class AccountPage:
    people: list[User]
    page: int
    has_next: bool


def _units_matching(phrase: str) -> list[int]:
    """The units whose code or name holds the phrase (a few hundred at most: read here)."""
    units = db.session.execute(select(Unit.id, Unit.code, Unit.name)).all()
    return [
        unit_id
        for unit_id, code, name in units
        if phrase in search_fold(code) or phrase in search_fold(name)
    ]


def search_accounts(
    query: str = "",
    *,
    page: int = 1,
    unit_id: int | None = None,
    role: Role | None = None,
    active: bool | None = None,
    per_page: int = PAGE_SIZE,
) -> AccountPage:
    """Accounts whose name, username, phone, email or unit holds `query`.

    Case and diacritics are ignored ("nguyen van" finds "Nguyễn Văn", "d" finds "đ"). The
    list is in the search key's order (the folded name), which its index gives, so a page
    stops at its 51st match; a text that few accounts hold reads the whole index (about
    25-150 ms at 100,000 accounts: bench/people_search.py). A whole phone number is looked
    up by its own index.
    """
    statement = select(User)
    phrase = search_fold(query)
    if phone := normalize_phone(query):  # a whole phone number, in any usual form: its index
        statement = statement.where(User.phone == phone)
    elif phrase:
        in_key = User.search_key.contains(phrase, autoescape=True)
        units = _units_matching(phrase)
        statement = statement.where(or_(in_key, User.unit_id.in_(units)) if units else in_key)
    if unit_id is not None:
        statement = statement.where(User.unit_id == unit_id)
    if role is not None:
        statement = statement.where(
            select(UserRole.id).where(UserRole.user_id == User.id, UserRole.role == role).exists()
        )
    if active is not None:
        statement = statement.where(User.is_active_account.is_(active))
    rows = list(
        db.session.scalars(
            statement.options(selectinload(User.unit), selectinload(User.role_rows))
            .order_by(User.search_key, User.id)
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
    )
    return AccountPage(rows[:per_page], page, len(rows) > per_page)


@dataclass(frozen=True)
class MemberLine:
    """A unit's participant and what they have done, over every contest."""

    user: User
    rounds: int
    contests: int
    best_correct: int | None
    best_questions: int | None


def unit_members(unit: Unit, query: str = "", page: int = 1) -> tuple[list[MemberLine], bool]:
    """A unit's participants matching `query`, with their rounds and best score (paged)."""
    found = search_accounts(query, page=page, unit_id=unit.id, role=Role.PARTICIPANT)
    ids = [user.id for user in found.people]
    rounds = dict(
        db.session.execute(
            select(Attempt.user_id, func.count())
            .where(Attempt.user_id.in_(ids), Attempt.state.in_(GRADED_STATES))
            .group_by(Attempt.user_id)
        ).all()
    )
    best: dict[int, tuple[int, int, int]] = {}
    for user_id, correct, questions in db.session.execute(
        select(BestRound.user_id, BestRound.correct_count, BestRound.question_count).where(
            BestRound.user_id.in_(ids)
        )
    ):
        contests, best_correct, best_questions = best.get(user_id, (0, -1, 0))
        # The best share of right answers over the contests (rounds may differ in length).
        if best_correct < 0 or correct * best_questions > best_correct * questions:
            best_correct, best_questions = correct, questions
        best[user_id] = (contests + 1, best_correct, best_questions)
    lines = []
    for user in found.people:
        contests, correct, questions = best.get(user.id, (0, None, None))
        lines.append(MemberLine(user, rounds.get(user.id, 0), contests, correct, questions))
    return lines, found.has_next


# Creating


def _problems_or_row(record: dict, unit_required: bool):
    row, problems = check_account(record, unit_required=unit_required)
    if problems:
        raise AccountProblems(problems)
    return row


def create_account(
    values: dict, roles: set[Role], unit: Unit | None, actor: User | None, now: datetime
) -> tuple[User, str | None]:
    """Create one account under the accounts file's rules; a generated password is returned.

    `values`: full_name, phone, username, email, position, password (each may be empty but
    the name; a phone or a username is needed to log in). A generated password is one-time:
    it must be changed at the first login.
    """
    record = {
        **{key: values.get(key) or "" for key in ("full_name", "phone", "username", "email")},
        "position": values.get("position") or "",
        "password": values.get("password") or "",
        "unit_code": unit.code if unit else "",
        "roles": " ".join(sorted(role.value for role in roles)),
    }
    row = _problems_or_row(record, unit_required=bool(roles & UNIT_ROLES))
    unit_codes = ((1, row.unit_code),) if row.unit_code else ()
    result = import_accounts(AccountsFile((row,), (), unit_codes))
    if result.problems:
        raise AccountProblems(list(result.problems))
    created = result.created[0]
    user = db.session.get(User, created.user_id)
    record_change("account_created", user, actor, now, roles=_role_names(user.roles))
    db.session.flush()
    return user, created.generated_password


def record_import(result: AccountsImport, actor: User, now: datetime) -> None:
    """Log an import page's accounts: one entry for the file, one per account created."""
    record("accounts_imported", actor, None, None, now, accounts=len(result.created))
    for account in result.created:
        record("account_created", actor, None, f"user:{account.user_id}", now, imported=True)
    db.session.flush()


def record_change(action: str, user: User, actor: User | None, now: datetime, **details) -> None:
    """An audit entry about one account."""
    db.session.flush()  # a new account needs its id for the target
    record(action, actor, None, f"user:{user.id}", now, **details)


def account_history(user: User, limit: int = 50) -> list[AuditEntry]:
    """The audit entries about this account, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == f"user:{user.id}")
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


# Editing


def _role_names(roles: set[Role]) -> list[str]:
    return sorted(role.value for role in roles)


def _other_active_organizers(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count(User.id))
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.ORGANIZER,
                User.is_active_account.is_(True),
                User.id != user.id,
            )
        )
        or 0
    )


def _check_keeps_an_organizer(user: User, actor: User | None) -> None:
    """Refuse to leave the site without an active organizer, or an organizer without their own
    organizer role (they would lock themselves out of this page)."""
    if actor is not None and actor.id == user.id:
        raise AccountRefused(_l("You cannot take your own organizer role or account away."))
    if user.is_active_account and not _other_active_organizers(user):
        raise AccountRefused(_l("This is the last active organizer: make another organizer first."))


def update_account(
    user: User, values: dict, roles: set[Role], unit: Unit | None, actor: User, now: datetime
) -> dict:
    """Change name, position, email, unit and roles; returns the changes ({field: [old, new]}).

    A unit change takes the person's best rounds along (the listener on users.unit_id).
    """
    if not roles:
        raise AccountRefused(_l("Choose at least one role."))
    record_values = {
        "full_name": values.get("full_name") or "",
        "phone": user.phone or "",
        "username": user.username or "",
        "email": values.get("email") or "",
        "position": values.get("position") or "",
        "unit_code": unit.code if unit else "",
        "roles": " ".join(_role_names(roles)),
    }
    row = _problems_or_row(record_values, unit_required=bool(roles & UNIT_ROLES))
    if Role.ORGANIZER in user.roles and Role.ORGANIZER not in roles:
        _check_keeps_an_organizer(user, actor)
    before = _account_fields(user)
    user.full_name = row.full_name
    user.position = row.position
    user.email = row.email
    user.unit = unit
    removed = user.roles - roles
    user.role_rows = [
        next((r for r in user.role_rows if r.role == role), None) or UserRole(role=role)
        for role in sorted(roles, key=lambda role: role.value)
    ]
    after = _account_fields(user)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        record_change("account_updated", user, actor, now, **changes)
    if removed:  # a role taken away must not live on in an open session
        user.revoke_sessions()
    db.session.flush()
    return changes


def _account_fields(user: User) -> dict:
    return {
        "full_name": user.full_name,
        "position": user.position,
        "email": user.email,
        "unit": user.unit.code if user.unit else None,
        "roles": _role_names(user.roles),
    }


def deactivate_account(user: User, actor: User, now: datetime) -> None:
    """Stop an account from logging in (its rounds and results stay) and end its sessions."""
    if not user.is_active_account:
        return
    if Role.ORGANIZER in user.roles or actor.id == user.id:
        _check_keeps_an_organizer(user, actor)
    user.is_active_account = False  # the model ends its sessions (User._revoke_on_deactivation)
    record_change("account_deactivated", user, actor, now)
    db.session.flush()


def reactivate_account(user: User, actor: User, now: datetime) -> None:
    """Let a deactivated account log in again."""
    if user.is_active_account:
        return
    user.is_active_account = True
    record_change("account_reactivated", user, actor, now)
    db.session.flush()


def reset_password(user: User, actor: User, now: datetime) -> str:
    """Give the account a one-time password, to be changed at its next login; returns it.

    The password is returned to be shown once and is stored only as its hash.
    """
    password = new_password()
    user.set_password(password, must_change=True)  # which ends the user's sessions
    record_change("password_reset", user, actor, now)
    db.session.flush()
    return password


# Generated passwords, kept encrypted until their one download


def hand_off_credentials(
    result: AccountsImport, actor: User, now: datetime
) -> tuple[str, str] | None:
    """Keep an import's generated passwords, encrypted, for one download: (token, key).

    The key goes to the importing organizer's session only; the row alone reveals nothing.
    None when no password was generated.
    """
    lines = [
        [account.line, account.full_name, account.phone, account.username, password]
        for account in result.created
        if (password := account.generated_password)
    ]
    if not lines:
        return None
    db.session.execute(
        delete(CredentialHandoff).where(CredentialHandoff.created_at < now - HANDOFF_KEEP)
    )
    key = Fernet.generate_key()
    token = secrets.token_hex(16)
    ciphertext = Fernet(key).encrypt(json.dumps(lines, ensure_ascii=False).encode())
    handoff = CredentialHandoff(
        token=token, created_by_id=actor.id, created_at=now, ciphertext=ciphertext
    )
    db.session.add(handoff)
    db.session.flush()
    return token, key.decode()


def take_credentials(token: str, key: str, actor: User, now: datetime) -> list[list] | None:
    """The generated passwords of `token`, deleted as they are read; None when gone or not
    this organizer's (downloaded already, expired, another's, or a wrong key)."""
    handoff = db.session.get(CredentialHandoff, token)
    if handoff is None or handoff.created_by_id != actor.id:
        return None
    if handoff.created_at < now - HANDOFF_KEEP:
        db.session.delete(handoff)
        return None
    try:
        lines = json.loads(Fernet(key.encode()).decrypt(handoff.ciphertext))
    except (InvalidToken, ValueError):
        return None
    db.session.delete(handoff)
    db.session.flush()
    return lines


CREDENTIAL_HEADERS = (
    _l("Line"),
    _l("Full name"),
    _l("Phone number"),
    _l("Username"),
    _l("One-time password"),
)


def credentials_workbook(lines: list[list]) -> bytes:
    """The generated passwords as an XLSX sheet, one account a row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_l("Passwords")))
    sheet.append([str(header) for header in CREDENTIAL_HEADERS])
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def active_units() -> list[Unit]:
    """Every unit, in its group's order, for the unit selects."""
    return list(db.session.scalars(select(Unit).order_by(Unit.group_id, Unit.position, Unit.name)))
