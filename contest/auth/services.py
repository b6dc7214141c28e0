"""Accounts: finding, authenticating, registering, changing and resetting passwords."""

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from contest.domain.accounts_file import AccountsFile, RowProblem
from contest.domain.text import clean_text, normalize_phone
from contest.extensions import db
from contest.mail import Mail
from contest.models import Contest, ParticipatingUnit, Role, Unit, UnitGroup, User, UserRole
from contest.models.audit import record


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


def self_registration_is_open(now: datetime) -> bool:
    """Whether people may register themselves at `now`.

    Open while at least one contest that is open or still to come (its quiz has not closed)
    allows it; otherwise only imported accounts may log in.
    """
    return bool(
        db.session.scalar(
            select(exists().where(Contest.registration_open, Contest.quiz_closes_at > now))
        )
    )


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
        full_name=clean_text(full_name),
        phone=phone_number,
        unit_id=unit_id,
        position=clean_text(position) or None,
        email=clean_text(email) or None,
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


# Forgotten passwords: a signed link valid for RESET_LINK_MAX_AGE that dies once used.

RESET_SALT = "contest.password-reset"
RESET_LINK_MAX_AGE = timedelta(minutes=30)


class _SignerAt(TimestampSigner):
    """itsdangerous's timestamp signer on the caller's clock (`now`) instead of time.time()."""

    def __init__(self, *args, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def get_timestamp(self) -> int:
        return int(self.now.timestamp())


def _reset_serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret_key, salt=RESET_SALT, signer=_SignerAt, signer_kwargs={"now": now}
    )


def _password_fingerprint(password_hash: str) -> str:
    """A digest of the stored hash: the token dies when the password changes (single use)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def _reset_token(user_id: int, password_hash: str, secret_key: str, now: datetime) -> str:
    payload = {"user": user_id, "password": _password_fingerprint(password_hash)}
    return _reset_serializer(secret_key, now).dumps(payload)


def make_reset_token(user: User, secret_key: str, now: datetime) -> str:
    """A signed token for `user`'s reset link, valid RESET_LINK_MAX_AGE from `now`."""
    return _reset_token(user.id, user.password_hash, secret_key, now)


def user_for_reset_token(token: str, secret_key: str, now: datetime) -> User | None:
    """The active account a reset token was made for, or None: forged, expired or used."""
    try:
        payload = _reset_serializer(secret_key, now).loads(
            token, max_age=int(RESET_LINK_MAX_AGE.total_seconds())
        )
    except BadData:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or not user.is_active:
        return None
    fingerprint = str(payload.get("password", ""))
    if not hmac.compare_digest(fingerprint, _password_fingerprint(user.password_hash)):
        return None  # the password changed since: the link was used, or is stale
    return user


def accounts_for_reset(typed: str) -> list[User]:
    """The active accounts `typed` names: by phone or username, else every one with that email."""
    user = find_by_login(typed)
    if user is not None:
        return [user] if user.is_active else []
    email = (typed or "").strip().lower()
    if "@" not in email:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(func.lower(User.email) == email, User.is_active_account)
            .order_by(User.id)
        )
    )


@dataclass(frozen=True)
class ResetLink:
    """A reset token to mail to an account's address."""

    user: User
    token: str


def request_password_reset(typed: str, secret_key: str, now: datetime) -> list[ResetLink]:
    """Reset tokens for the accounts `typed` names that have an email (none: an empty list).

    As much work either way, so that the time taken does not tell whether an account exists
    or has an email: a token is made for nobody when there is nobody to send one to.
    """
    accounts = [user for user in accounts_for_reset(typed) if user.email]
    if not accounts:
        _reset_token(0, "", secret_key, now)
    return [ResetLink(user, make_reset_token(user, secret_key, now)) for user in accounts]


def reset_mail(user: User, link: str, site_name: str) -> Mail:
    """The plain-text mail that carries a reset link, in the current language."""
    minutes = int(RESET_LINK_MAX_AGE.total_seconds() // 60)
    account = user.username or user.phone
    body = "\n\n".join(
        [
            _("Hello %(name)s,", name=user.full_name),
            _(
                "Someone (hopefully you) asked to reset the password of your account "
                "%(account)s on %(site)s.",
                account=account,
                site=site_name,
            ),
            _(
                "To choose a new password, open this link within %(minutes)s minutes. "
                "It works only once:",
                minutes=minutes,
            )
            + "\n"
            + link,
            _("If you did not ask for this, ignore this mail: your password stays as it is."),
        ]
    )
    return Mail(
        to=user.email or "",
        subject=_("Reset your password: %(site)s", site=site_name),
        body=body + "\n",
    )


def reset_password(user: User, new_password: str, now: datetime) -> None:
    """Set the password chosen through a reset link; the link and the user's sessions end."""
    user.set_password(new_password)  # which ends the user's sessions, and so the link
    record("password_reset_by_link", user, None, f"user:{user.id}", now)
    db.session.flush()


@dataclass(frozen=True)
class UnitContact:
    """A unit and the names of its admins (who can help its people), for a public list."""

    unit: str
    admins: tuple[str, ...]


@dataclass(frozen=True)
class GroupContacts:
    group: str
    units: tuple[UnitContact, ...]


def unit_admin_directory() -> list[GroupContacts]:
    """Every unit with its active admins' names (no phone numbers), grouped as the units are."""
    admins: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(User.unit_id, User.full_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.UNIT_ADMIN, User.is_active_account, User.unit_id.is_not(None))
        .order_by(User.full_name, User.id)
    )
    for unit_id, name in rows:
        admins.setdefault(unit_id, []).append(name)
    groups = db.session.scalars(select(UnitGroup).order_by(UnitGroup.position, UnitGroup.id))
    return [
        GroupContacts(
            group.name,
            tuple(UnitContact(unit.name, tuple(admins.get(unit.id, ()))) for unit in group.units),
        )
        for group in groups
        if group.units
    ]


def log_out(user) -> None:
    """Logging out ends every session of the user, on every device, remember-me included:
    a copy of this session's cookie must not outlive the logout."""
    if user.is_authenticated:
        user.revoke_sessions()
        db.session.flush()


ACCOUNT_PROBLEMS = {
    "not_utf8": _l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
    "unreadable_xlsx": _l("The file cannot be read as an Excel workbook (XLSX)."),
    "no_login": _l("Give a phone number or a username: one of them is the login."),
    "no_login_column": _l(
        "The header needs a phone or a username column: one of them is the login."
    ),
    "empty_file": _l("The file is empty."),
    "no_rows": _l("The file has a header but no accounts."),
    "missing_column": _l("The header lacks this column."),
    "bad_full_name": _l("The full name must have 2 to 120 characters."),
    "bad_phone": _l("Not a Vietnamese phone number."),
    "duplicate_phone": _l("This phone number is already on an earlier line."),
    "missing_unit": _l("The unit code is missing."),
    "unknown_unit": _l("No unit has this code."),
    "inactive_unit": _l("This unit is deactivated: it takes no new members."),
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
    phone: str | None
    username: str | None
    generated_password: str | None
    user_id: int | None = None


@dataclass(frozen=True)
class AccountsImport:
    """All or nothing: either `created` or `problems` is empty."""

    created: tuple[CreatedAccount, ...]
    problems: tuple[RowProblem, ...]


def import_accounts(accounts: AccountsFile) -> AccountsImport:
    """Create every account of a checked file, or none when any row has a problem."""
    problems = import_problems(accounts)
    if problems:
        return AccountsImport((), problems)
    return _create_accounts(accounts)


def import_problems(accounts: AccountsFile) -> tuple[RowProblem, ...]:
    """Every problem of a file, its own and against the database (units, phones, usernames
    already there), by line; nothing is written."""
    problems = list(accounts.problems)
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    phones = {row.phone for row in accounts.rows if row.phone}
    usernames = {row.username for row in accounts.rows if row.username}
    taken_phones = set(db.session.scalars(select(User.phone).where(User.phone.in_(phones))))
    taken_usernames = set(
        db.session.scalars(select(User.username).where(User.username.in_(usernames)))
    )
    inactive = set(db.session.scalars(select(Unit.code).where(Unit.active.is_(False))))
    for line, unit_code in accounts.unit_codes:
        if unit_code in inactive:  # a deactivated unit takes no new members
            problems.append(RowProblem(line, "unit_code", "inactive_unit", unit_code))
        elif unit_code not in units:
            problems.append(RowProblem(line, "unit_code", "unknown_unit", unit_code))
    for row in accounts.rows:
        if row.phone and row.phone in taken_phones:
            problems.append(RowProblem(row.line, "phone", "phone_taken", row.phone))
        if row.username in taken_usernames:
            problems.append(RowProblem(row.line, "username", "username_taken", row.username))
    return tuple(sorted(problems, key=lambda p: p.line))


def _create_accounts(accounts: AccountsFile) -> AccountsImport:
    units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    made = []
    for row in accounts.rows:
        generated = None if row.password else new_password()
        user = User(
            full_name=row.full_name,
            phone=row.phone,
            username=row.username,
            unit_id=units[row.unit_code] if row.unit_code else None,
            position=row.position,
            email=row.email,
        )
        # A generated password travels on paper: it is one-time, changed at the first login.
        user.set_password(row.password or generated, must_change=generated is not None)
        for role in row.roles:
            user.grant(Role(role))
        db.session.add(user)
        made.append((row, generated, user))
    db.session.flush()
    created = [
        CreatedAccount(row.line, row.full_name, row.phone, row.username, generated, user.id)
        for row, generated, user in made
    ]
    return AccountsImport(tuple(created), ())


def new_password(length: int = 10) -> str:
    """A random password easy to read out over the phone (no 0/o, 1/l/i)."""
    return "".join(secrets.choice(_READABLE_CHARACTERS) for _ in range(length))


def describe_problem(problem: RowProblem) -> str:
    """One line for people: where, what, and the value at fault."""
    if problem.column is None:
        where = _("line %(line)s", line=problem.line)
    else:
        where = _("line %(line)s, column %(column)s", line=problem.line, column=problem.column)
    text = f"{where}: {ACCOUNT_PROBLEMS[problem.code]}"
    return f"{text} ({problem.value})" if problem.value else text


def registration_units(now: datetime) -> list[tuple[UnitGroup, list[Unit]]]:
    """The units offered at registration, by group: the active units taking part in a contest
    that is open or still to come; every active unit when no such contest has any (between
    contests, an account is still made for the next one)."""
    coming = (
        select(ParticipatingUnit.unit_id)
        .join(Contest, Contest.id == ParticipatingUnit.contest_id)
        .where(Contest.quiz_closes_at > now)
    )
    offered = set(db.session.scalars(coming))
    listing = []
    for group in db.session.scalars(select(UnitGroup).order_by(UnitGroup.position, UnitGroup.code)):
        units = [
            unit
            for unit in sorted(group.units, key=lambda u: (u.position, u.code))
            if unit.active and (not offered or unit.id in offered)
        ]
        if units:
            listing.append((group, units))
    return listing
