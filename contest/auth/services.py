"""Accounts: finding, authenticating, registering and changing passwords."""

import re

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from contest.extensions import db
from contest.models import Role, User

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"0\d{9,10}")


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx, or None when it is not one."""
    digits = _PHONE_SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE.fullmatch(digits) else None


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


def authenticate(login: str, password: str) -> User | None:
    """The active account matching these credentials, or None."""
    user = find_by_login(login)
    if user is None or not user.is_active or not user.check_password(password or ""):
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
    """Set a new password if the current one is right; False when it is not."""
    if not user.check_password(current_password):
        return False
    user.set_password(new_password)
    db.session.flush()
    return True
